"""A site behind a private certificate authority: TLS verification stays on, and
``--ca-bundle`` (or CMS_SYNC_CA_BUNDLE, or ca_bundle in cms-sync.toml) names the CA to trust.

The site is a local HTTPS server (stdlib http.server + ssl, on 127.0.0.1) whose certificate
is signed by a throwaway CA made with the openssl command line in the test; it answers a
tiny REST API (front page with its Link header, users/me, empty lists).
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from cms_sync import __version__
from cms_sync.cli import cli

from .publishing import article

PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
ME = {
    "id": 1,
    "slug": "admin",
    "username": "admin",
    "roles": ["administrator"],
    "capabilities": {"edit_posts": True, "unfiltered_html": True, "upload_files": True},
}


@dataclass
class Certificates:
    ca: Path  # the CA's certificate: the bundle to give cms-sync
    other_ca: Path  # a CA that signed nothing here
    cert: Path
    key: Path


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test CA")
    folder = tmp_path_factory.mktemp("tls")
    for name in ("ca", "other-ca"):
        openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN=cms-sync test {name}",
            cwd=folder,
        )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "site.key", "-out", "site.csr",
        "-subj", "/CN=127.0.0.1", cwd=folder,
    )  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName = IP:127.0.0.1\n")
    openssl(
        "x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "site.pem", cwd=folder,
    )  # fmt: skip
    return Certificates(
        folder / "ca.pem", folder / "other-ca.pem", folder / "site.pem", folder / "site.key"
    )


@dataclass
class Site:
    url: str
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def site(certificates: Certificates) -> Iterator[Site]:
    """The HTTPS site on 127.0.0.1, stopped after the test."""
    seen: list[tuple[str, str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(("GET", self.path, dict(self.headers)))
            path = urlsplit(self.path).path
            headers = {"Content-Type": "application/json"}
            if path == "/":
                body: object = {}
                headers["Link"] = f'<{site.url}/wp-json/>; rel="https://api.w.org/"'
            elif path == "/wp-json/wp/v2/users/me":
                body = ME
            elif path == "/wp-json/":
                body = {"namespaces": ["wp/v2"], "routes": {}}
            else:  # every list is empty
                body = []
                headers.update({"X-WP-Total": "0", "X-WP-TotalPages": "0"})
            data = json.dumps(body).encode()
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.cert, certificates.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    site = Site(f"https://127.0.0.1:{server.server_address[1]}", seen)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run(project, site: Site, *args: str, **env: str):
    base = {
        "CMS_SYNC_URL": site.url,
        "CMS_SYNC_USER": "admin",
        "CMS_SYNC_APP_PASSWORD": PASSWORD,
        "CI": "true",
        "HOME": str(project.root),
        "REQUESTS_CA_BUNDLE": "",
        "CURL_CA_BUNDLE": "",
    }
    global_args = [a for a in args if a.startswith("--ca-bundle")]
    rest = [a for a in args if not a.startswith("--ca-bundle")]
    result = CliRunner().invoke(
        cli, [*global_args, "--config", str(project.config), *rest], env={**base, **env}
    )
    assert PASSWORD not in result.output + result.stderr
    return result


@pytest.fixture
def ready(project):
    project.write("a.md", article("a"))
    return project


def test_without_the_bundle_verification_fails_and_says_to_give_it(ready, site):
    result = run(ready, site, "plan")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: GET {site.url}/wp-json/wp/v2/users/me?context=edit: ")
    assert "TLS error: certificate verification failed (unable to get local issuer" in line
    assert "not signed by a certificate authority this machine trusts" in line
    assert "--ca-bundle PATH (or CMS_SYNC_CA_BUNDLE, or ca_bundle in cms-sync.toml)" in line
    assert "Traceback" not in result.output


@pytest.mark.parametrize("how", ["option", "environment", "config"])
def test_with_the_bundle_the_requests_go_through_verified(ready, site, certificates, how):
    args, env = ["plan"], {}
    if how == "option":
        args = [f"--ca-bundle={certificates.ca}", "plan"]
    elif how == "environment":
        env = {"CMS_SYNC_CA_BUNDLE": str(certificates.ca)}
    else:
        shutil.copy(certificates.ca, ready.root / "our-ca.pem")
        with ready.config.open("a") as config:
            config.write('ca_bundle = "our-ca.pem"\n')
    result = run(ready, site, *args, **env)
    assert result.exit_code == 0, result.output
    assert "create" in result.stdout
    paths = [path for _, path, _ in site.requests]
    assert paths[0] == "/wp-json/wp/v2/users/me?context=edit"  # /wp-json/ tried first
    agents = {headers["User-Agent"] for _, _, headers in site.requests}
    assert agents == {f"cms-sync/{__version__}"}


def test_the_bundle_wins_over_requests_ca_bundle(ready, site, certificates):
    """requests lets REQUESTS_CA_BUNDLE override a session's bundle; cms-sync's does not."""
    result = run(
        ready, site, f"--ca-bundle={certificates.ca}", "plan",
        REQUESTS_CA_BUNDLE=str(certificates.other_ca),
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_bundle_of_another_ca_is_named_in_the_error(ready, site, certificates):
    result = run(ready, site, f"--ca-bundle={certificates.other_ca}", "plan")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert f"not signed by a certificate authority in {certificates.other_ca}" in line


def test_doctor_uses_the_bundle_too(ready, site, certificates):
    without = run(ready, site, "doctor")
    assert "certificate verification failed" in without.stdout and "--ca-bundle" in without.stdout
    found = run(ready, site, f"--ca-bundle={certificates.ca}", "doctor")
    assert f"reachable              {site.url}/ answers" in found.stdout


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("option", "--ca-bundle"),
        ("environment", "CMS_SYNC_CA_BUNDLE"),
        ("config", "cms-sync.toml:4: ca_bundle"),
    ],
)
def test_a_missing_bundle_is_one_line_naming_where_it_was_given(ready, site, how, where):
    missing = ready.root / "missing.pem"
    args, env = ["plan"], {}
    if how == "option":
        args = [f"--ca-bundle={missing}", "plan"]
    elif how == "environment":
        env = {"CMS_SYNC_CA_BUNDLE": str(missing)}
    else:
        with ready.config.open("a") as config:
            config.write('ca_bundle = "missing.pem"\n')
    result = run(ready, site, *args, **env)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {'' if how != 'config' else str(ready.root) + '/'}{where} {missing}: no such "
        "file; give the PEM file of the certificate authority that signed the site's certificate"
    ]
    assert site.requests == []


def test_a_bundle_that_is_not_pem_is_refused_before_any_request(ready, site):
    (ready.root / "notes.txt").write_text("not a certificate\n")
    result = run(ready, site, f"--ca-bundle={ready.root / 'notes.txt'}", "plan")
    assert result.exit_code == 1
    assert "holds no certificate cms-sync can read" in result.stderr
    assert site.requests == []
