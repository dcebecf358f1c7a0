"""The preview pages and server, without a browser (browser checks: test_preview_browser.py)."""

from __future__ import annotations

import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.preview import PreviewServer

from .conftest import REPO
from .wordpress_site import copy_project

FIXTURES = REPO / "tests" / "fixtures"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def site(config: Path, out: Path) -> dict[str, str]:
    result = CliRunner().invoke(
        cli, ["-q", "--config", str(config), "render", "--site", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return {p.name: p.read_text("utf-8") for p in out.glob("*.html")}


def test_index_lists_parts_in_order_and_marks_unpublished(tmp_path):
    index = site(FIXTURES / "es" / "cms-sync.toml", tmp_path)["index.html"]
    titles = re.findall(r'<a href="prueba-\w+\.html">([^<]+)</a>', index)
    assert titles == ["Prueba uno", "Prueba dos", "Prueba tres"]
    assert '<span class="post-status">Pendiente de revisión</span>' in index
    assert '<span class="post-status">Programada 2099-06-01 09:30</span>' in index
    draft = site(FIXTURES / "series" / "cms-sync.toml", tmp_path / "s")["index.html"]
    assert '<span class="post-status">Draft</span>' in draft


def test_article_page_holds_the_exact_post_content_and_the_notice_under_the_form(tmp_path):
    pages = site(FIXTURES / "series" / "cms-sync.toml", tmp_path / "site")
    CliRunner().invoke(
        cli,
        [
            "-q",
            "--config",
            str(FIXTURES / "series" / "cms-sync.toml"),
            "render",
            "--out",
            str(tmp_path / "posts"),
        ],
    )
    post = (tmp_path / "posts" / "seven-skills-one-attitude.html").read_text("utf-8")
    page = pages["seven-skills-one-attitude.html"]
    body, notice = post.split('<aside class="cms-sync-notice"')
    assert f'<div class="entry-content">\n{body}</div>' in page
    form_end = page.index("</form>")
    assert page.index('<aside class="cms-sync-notice"' + notice.rstrip("\n")) > form_end
    assert page.count("cms-sync-notice-items") == 1


def test_notice_page_and_article_use_the_labels_of_their_language(tmp_path):
    pages = site(FIXTURES / "es" / "cms-sync.toml", tmp_path)
    for name in ("notice-es.html", "prueba-uno.html"):
        assert "<strong>Responsable de los datos:</strong> Ana Pérez" in pages[name]
        assert "<strong>Legitimación:</strong>" in pages[name]
    assert '<html lang="es"' in pages["prueba-uno.html"]
    assert "Deja tu comentario" in pages["prueba-uno.html"]
    bengali = site(REPO / "cms-sync.toml", tmp_path / "bn")["notice-bn.html"]
    assert "<strong>ডেটার জন্য দায়বদ্ধ:</strong>" in bengali


def test_static_site_links_all_resolve(tmp_path):
    out = tmp_path / "site"
    pages = site(FIXTURES / "series" / "cms-sync.toml", out)
    for name, html in pages.items():
        for target in re.findall(r'(?:href|src)="([^"#]+)', html):
            if "://" in target:
                continue
            assert (out / target).is_file(), f"{name} links to missing {target}"
    assert "/__preview/" not in "".join(pages.values())  # no live-reload script


@pytest.fixture
def served(tmp_path):
    config = copy_project(FIXTURES / "series", tmp_path / "project")
    with PreviewServer(config) as server:
        yield server, config.parent


def wait_for_version(server: PreviewServer, old: int) -> None:
    deadline = time.monotonic() + 10
    while server.preview.version == old and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.preview.version != old


def test_server_serves_pages_images_and_404(served):
    server, root = served
    status, index = fetch(server.url)
    assert status == 200 and "What an e-commerce manager does" in index
    status, page = fetch(server.url + "seven-skills-one-attitude.html")
    assert status == 200 and '<script src="/__preview/reload.js"></script>' in page
    [image] = re.findall(r'src="(media/[^"]+)"', page)
    with urllib.request.urlopen(server.url + image, timeout=10) as answer:
        assert answer.read() == (root / "articles" / "images" / "funnel.png").read_bytes()
    assert fetch(server.url + "nope.html")[0] == 404


def test_an_error_is_shown_on_the_page_and_the_server_recovers(served):
    server, root = served
    article = root / "articles" / "part-2.md"
    good = article.read_text("utf-8")
    version = server.preview.version
    article.write_text(good.replace("title: Seven skills & one attitude", "title: [broken"))
    wait_for_version(server, version)
    status, page = fetch(server.url + "seven-skills-one-attitude.html")
    assert status == 500
    assert "articles/part-2.md:3: error: invalid YAML in front matter" in page
    version = server.preview.version
    article.write_text(good.replace("Back to", "Return to"))
    wait_for_version(server, version)
    status, page = fetch(server.url + "seven-skills-one-attitude.html")
    assert status == 200 and "Return to" in page


def test_a_template_error_is_shown_with_file_and_line(served):
    server, root = served
    template = Path(server.preview.config.templates_dir) / "page.html"
    assert template.is_relative_to(root), "the project copy has its own templates"
    version = server.preview.version
    template.write_text(template.read_text("utf-8").replace("{% endblock %}", "{% endblok %}", 1))
    wait_for_version(server, version)
    status, page = fetch(server.url)
    assert status == 500 and "page.html:" in page and "template error" in page


def test_wait_answers_when_a_watched_file_changes(served):
    server, root = served
    version = str(server.preview.version)
    (root / "articles" / "images" / "funnel.png").write_bytes(b"\x89PNG changed")
    status, answer = fetch(server.url + f"__preview/wait?version={version}")
    assert status == 200 and answer != version


def test_busy_port_is_one_clear_error(served):
    server, _root = served
    port = server.http.server_address[1]
    with pytest.raises(Exception, match=rf"cannot listen on 127.0.0.1:{port}: .*pass another"):
        PreviewServer(server.preview.config_path, port=port)


def test_preview_command_help_has_an_example():
    result = CliRunner().invoke(cli, ["preview", "--help"])
    assert "cms-sync preview --open" in result.output


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path):
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)
