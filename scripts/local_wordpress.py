#!/usr/bin/env python3
"""Start and stop a throwaway, real WordPress on 127.0.0.1 from Debian's packages.

Everything lives in one work directory: a private MariaDB (datadir ``db/``, Unix socket only,
no TCP), a copy of /usr/share/wordpress in ``www/`` with our own wp-config.php, and PHP's
built-in web server on a free port.  WordPress is installed through its own web installer,
then a PHP script sets ``/%postname%/`` permalinks, adds an Author and creates application
passwords.  ``state.json`` records the URL, the credentials and the two pids, so ``stop``
ends exactly those processes and nothing else.

Needs (installed by the Makefile, never by this script): wordpress php-cli php-mysql
mariadb-server php-xml php-mbstring; optionally wordpress-theme-twentytwentythree.

Python use::

    state = start(Path("/tmp/wp"))      # dict, also written to /tmp/wp/state.json
    stop(Path("/tmp/wp"))

Command line::

    python3 scripts/local_wordpress.py start DIR [--port N]   # prints the state JSON
    python3 scripts/local_wordpress.py env DIR                # export CMS_SYNC_... lines
    python3 scripts/local_wordpress.py status DIR             # exit 1 unless all pids run
    python3 scripts/local_wordpress.py stop DIR
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

WP_SOURCE = Path("/usr/share/wordpress")
# Debian's theme packages (wordpress-theme-twenty*) install here; the wordpress package itself
# ships no theme at all, only Recommends one.
THEME_SOURCES = (WP_SOURCE / "wp-content" / "themes", Path("/var/lib/wordpress/wp-content/themes"))
PREFERRED_THEME = "twentytwentythree"  # WordPress 6.1's WP_DEFAULT_THEME
FALLBACK_THEME = "cms-sync-minimal"
APP_PASSWORD_NAME = "cms-sync-tests"
STATE_FILE = "state.json"
# sun_path is 108 bytes; MariaDB refuses longer socket paths (pytest tmp dirs get close).
MAX_SOCKET_PATH = 100
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# Popen objects of the servers this Python process started: holding them keeps Python from
# warning "subprocess is still running" on garbage collection, and lets stop() reap them
# (a killed but unreaped child would otherwise look alive as a zombie).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _tail(path: Path, lines: int = 20) -> str:
    """Last lines of a log, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _fail(message: str, log: Path | None = None) -> RuntimeError:
    """A RuntimeError carrying the tail of the log that explains it."""
    if log is not None:
        message += f"\n--- last lines of {log} ---\n{_tail(log)}"
    return RuntimeError(message)


def _program(*names: str) -> str:
    """Absolute path of the first program found (mariadbd lives in /usr/sbin, often off PATH)."""
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
        if found:
            return found
    raise RuntimeError(
        f"none of {', '.join(names)} found; install the Debian packages first "
        "(wordpress php-cli php-mysql mariadb-server php-xml php-mbstring)"
    )


def _free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1 (tiny race until php binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server in its own session, so it outlives the caller's terminal (Ctrl-C)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc


def _run(cmd: list[str], log: Path, what: str, env: dict[str, str] | None = None) -> str:
    """Run a short command; return its stdout, append stderr to log, raise with context."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    with log.open("a") as out:
        out.write(f"$ {shlex.join(cmd)}\n{result.stderr}")
    if result.returncode != 0:
        raise _fail(f"{what} failed (exit {result.returncode}): {result.stdout[-2000:]}", log)
    return result.stdout


def _wait_for(
    connect: Callable[[], None], proc: subprocess.Popen[bytes], what: str, log: Path
) -> None:
    """Poll connect() until it stops raising OSError; fail fast if the server died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            _abandon(proc)
            raise _fail(f"{what} exited with code {proc.returncode} while starting", log)
        try:
            connect()
            return
        except OSError:
            if time.monotonic() > deadline:
                _abandon(proc)
                message = f"{what} did not accept connections within {STARTUP_TIMEOUT:.0f} s"
                raise _fail(message, log) from None
            time.sleep(0.05)


def _abandon(proc: subprocess.Popen[bytes]) -> None:
    """Kill and reap a server that failed to start (its fresh process group is all ours)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    _CHILDREN.pop(proc.pid, None)


def _connect_unix(path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))


def _connect_tcp(port: int) -> None:
    socket.create_connection(("127.0.0.1", port), timeout=1).close()


# ---------------------------------------------------------------------------------------------
# HTTP (urllib, so the script needs nothing beyond the standard library)
# ---------------------------------------------------------------------------------------------


def _http(
    method: str,
    url: str,
    form: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request; returns (status, headers, body) for every status instead of raising."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


# ---------------------------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------------------------


def _socket_path(workdir: Path) -> Path:
    """workdir/mysql.sock, or a short private dir under /tmp when that path is too long."""
    sock = workdir / "mysql.sock"
    if len(str(sock)) <= MAX_SOCKET_PATH:
        return sock
    return Path(tempfile.mkdtemp(prefix="lwp-")) / "mysql.sock"


def _init_db(workdir: Path) -> None:
    """Create an empty system database whose root logs in with no password."""
    _run(
        [
            _program("mariadb-install-db", "mysql_install_db"),
            "--no-defaults",  # ignore /etc/mysql: the system server's settings are not ours
            f"--datadir={workdir / 'db'}",
            "--auth-root-authentication-method=normal",
            # No --user: with it, the script chowns an unquoted $datadir (breaks on spaces);
            # without it the files simply belong to whoever runs us.
            "--skip-test-db",
        ],
        workdir / "mariadb-install.log",
        "mariadb-install-db",
    )


def _start_mariadb(workdir: Path, sock: Path) -> subprocess.Popen[bytes]:
    log = workdir / "mariadb.log"
    proc = _spawn(
        [
            _program("mariadbd", "mysqld"),
            "--no-defaults",
            f"--datadir={workdir / 'db'}",
            f"--socket={sock}",
            "--skip-networking",  # socket only: concurrent instances cannot clash on 3306
            f"--pid-file={workdir / 'mariadbd.pid'}",
            f"--log-error={log}",
            # mariadbd refuses to run as root unless told to; as anyone else it needs nothing.
            *(["--user=root"] if os.geteuid() == 0 else []),
            # Throwaway data: trade crash safety for speed.
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
        ],
        log,
    )
    _wait_for(lambda: _connect_unix(sock), proc, "mariadbd", log)
    return proc


def _create_database(workdir: Path, sock: Path) -> None:
    _run(
        [
            _program("mariadb", "mysql"),
            "--no-defaults",
            f"--socket={sock}",
            "--user=root",
            "-e",
            "CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        ],
        workdir / "mariadb.log",
        "CREATE DATABASE",
    )


# ---------------------------------------------------------------------------------------------
# WordPress files
# ---------------------------------------------------------------------------------------------

ROUTER_PHP = """<?php
// Router for `php -S`: does what Apache's .htaccess rewrite does for WordPress. Existing files
// and directories are served as they are; every other path (/%postname%/, /wp-json/...) goes
// through index.php, so pretty permalinks and the REST API work.
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (file_exists($_SERVER['DOCUMENT_ROOT'] . $path)) {
    return false;  // php -S serves it and logs "[status]: METHOD URI" itself
}
// php -S does not log requests a router handles; log them in the same format, so php.log has
// exactly one "]: " line per request (tests count requests with it).
register_shutdown_function(function () {
    file_put_contents('php://stderr', sprintf(
        "[%d] [%s] %s:%s [%d]: %s %s\\n",
        getmypid(), date('D M j H:i:s Y'), $_SERVER['REMOTE_ADDR'], $_SERVER['REMOTE_PORT'],
        http_response_code(), $_SERVER['REQUEST_METHOD'], $_SERVER['REQUEST_URI']));
});
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['SCRIPT_FILENAME'];
"""


FALLBACK_STYLE_CSS = f"""/*
Theme Name: {FALLBACK_THEME}
Description: Minimal classic theme written by scripts/local_wordpress.py because no
 wordpress-theme-* package is installed.
Version: 1.0
*/
"""

FALLBACK_INDEX_PHP = """<?php
// Minimal classic theme: just enough for the front end to show posts; wp_head() prints
// the REST API <link> and friends like any theme would.
?><!doctype html>
<html <?php language_attributes(); ?>>
<head><meta charset="<?php bloginfo('charset'); ?>"><?php wp_head(); ?></head>
<body <?php body_class(); ?>>
<?php while (have_posts()) : the_post(); ?>
<article id="post-<?php the_ID(); ?>" <?php post_class(); ?>>
<h1><?php the_title(); ?></h1>
<?php the_content(); ?>
</article>
<?php if (is_singular() && comments_open()) { comment_form(); } ?>
<?php endwhile; ?>
<?php wp_footer(); ?>
</body>
</html>
"""


def _copy_wordpress(www: Path) -> None:
    """Copy the core files. Debian's wp-config.php (a loader for /etc/wordpress/config-*.php)
    and its .htaccess (a symlink into /etc) are replaced or not needed."""
    shutil.copytree(
        WP_SOURCE,
        www,
        # Debian replaces bundled libraries (getID3, underscore, cropper, ca-bundle.crt) with
        # *relative* symlinks into /usr/share; copied as links they would dangle, so copy targets.
        symlinks=False,
        ignore=lambda _dir, names: (
            [n for n in names if n in {"wp-config.php", ".htaccess"}]
            if _dir == str(WP_SOURCE)
            else []
        ),
    )


def _install_themes(content: Path) -> str:
    """Give the site real theme copies; return the theme to make the default."""
    themes = content / "themes"
    themes.mkdir(parents=True, exist_ok=True)
    for source in THEME_SOURCES:
        for theme in sorted(source.glob("*/style.css")) if source.is_dir() else []:
            target = themes / theme.parent.name
            if not target.exists():
                # symlinks=False: a real copy, independent of /usr and /var/lib.
                shutil.copytree(theme.parent.resolve(), target)
    installed = sorted(p.parent.name for p in themes.glob("*/style.css"))
    if PREFERRED_THEME in installed:
        return PREFERRED_THEME
    if installed:
        return installed[-1]
    minimal = themes / FALLBACK_THEME
    minimal.mkdir()
    (minimal / "style.css").write_text(FALLBACK_STYLE_CSS)
    (minimal / "index.php").write_text(FALLBACK_INDEX_PHP)
    return FALLBACK_THEME


# AUTH_KEY ... NONCE_SALT: random per site, like the values from api.wordpress.org/secret-key.
SALT_NAMES = [
    f"{kind}_{suffix}"
    for suffix in ("KEY", "SALT")
    for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
]


def _php_quote(value: str) -> str:
    """A PHP single-quoted string literal (a workdir may contain quotes or backslashes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _wp_config(url: str, sock: Path, content: Path, theme: str) -> str:
    salts = "".join(f"define('{name}', '{secrets.token_urlsafe(48)}');\n" for name in SALT_NAMES)
    return f"""<?php
// Written by scripts/local_wordpress.py for a throwaway local WordPress.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {_php_quote(f"localhost:{sock}")});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}define('WP_HOME', {_php_quote(url)});
define('WP_SITEURL', {_php_quote(url)});
define('WP_CONTENT_DIR', {_php_quote(str(content))});
define('WP_CONTENT_URL', {_php_quote(url + "/wp-content")});
define('WP_DEFAULT_THEME', {_php_quote(theme)});
// 'local' is what lets application passwords work over plain http.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('WP_DEBUG', false);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""


def _prepare_site(workdir: Path) -> str:
    """Copy WordPress into workdir/www; return the theme to make the default."""
    www = workdir / "www"
    _copy_wordpress(www)
    # WP_CONTENT_DIR stays inside the document root so php -S serves uploads and theme files.
    (www / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
    (workdir / "router.php").write_text(ROUTER_PHP)
    return _install_themes(www / "wp-content")


def _write_config(workdir: Path, url: str, sock: Path, theme: str) -> None:
    www = workdir / "www"
    (www / "wp-config.php").write_text(_wp_config(url, sock, www / "wp-content", theme))


def _wp_version() -> str:
    text = (WP_SOURCE / "wp-includes" / "version.php").read_text()
    match = re.search(r"\$wp_version\s*=\s*'([^']+)'", text)
    return match.group(1) if match else "unknown"


# ---------------------------------------------------------------------------------------------
# PHP
# ---------------------------------------------------------------------------------------------

PHP_SETTINGS = {
    # Errors go to stderr (the server's log), never into HTTP bodies or our JSON on stdout.
    "display_errors": "0",
    "log_errors": "1",
    "sendmail_path": "/bin/true",  # the installer mails the admin; swallow it
    "post_max_size": "64M",
    "upload_max_filesize": "64M",
    "memory_limit": "512M",
    "opcache.enable_cli": "1",  # php -S runs under the CLI SAPI, where opcache is off by default
}
PHP_INI = [arg for key, value in PHP_SETTINGS.items() for arg in ("-d", f"{key}={value}")]


def _start_php(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    log = workdir / "php.log"
    env = dict(os.environ)
    # Several workers so parallel requests (and WordPress's loopback requests during the
    # install) do not queue behind each other.
    env["PHP_CLI_SERVER_WORKERS"] = "4"
    proc = _spawn(
        [
            _program("php"),
            *PHP_INI,
            "-S",
            f"127.0.0.1:{port}",
            "-t",
            str(workdir / "www"),
            str(workdir / "router.php"),
        ],
        log,
        env,
    )
    _wait_for(lambda: _php_listening(log, port), proc, f"php -S on port {port}", log)
    return proc


def _php_listening(log: Path, port: int) -> None:
    """Raise OSError until php has announced its server, and then check it answers.
    A bare connect is not enough: when someone else holds the port, the connect succeeds
    against *their* listener while php is about to exit with "Failed to listen"."""
    if f"(http://127.0.0.1:{port}) started" not in log.read_text(errors="replace"):
        raise OSError("php has not started listening yet")
    _connect_tcp(port)


SETUP_PHP = """<?php
// Run once by `php` after the web install: what the installer has no form field for.
$port = getenv('LW_PORT');
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . $port;  // wp-load.php expects a web request
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = $port;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require __DIR__ . '/www/wp-load.php';

function lw_die($what) {
    fwrite(STDERR, is_wp_error($what) ? $what->get_error_message() : $what);
    exit(1);
}

global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
flush_rewrite_rules(false);  // soft flush: php -S has no .htaccess to write

$author_id = wp_insert_user([
    'user_login' => 'author',
    'user_pass' => getenv('LW_AUTHOR_PASSWORD'),
    'user_email' => 'author@example.com',
    'display_name' => 'Author',
    'role' => 'author',
]);
if (is_wp_error($author_id)) {
    lw_die($author_id);
}
$admin = get_user_by('login', 'admin') ?: lw_die('no admin user after install');

$out = ['admin_id' => $admin->ID, 'author_id' => $author_id, 'theme' => get_stylesheet()];
foreach (['admin' => $admin->ID, 'author' => $author_id] as $key => $user_id) {
    $created = WP_Application_Passwords::create_new_application_password(
        $user_id, ['name' => getenv('LW_APP_PASSWORD_NAME')]);
    if (is_wp_error($created)) {
        lw_die($created);
    }
    $out[$key . '_app_password'] = $created[0];
}
$out['permalink_structure'] = get_option('permalink_structure');
echo json_encode($out);
"""


def _install_wordpress(workdir: Path, url: str, admin_password: str) -> None:
    """Run the web installer exactly as a browser would."""
    status, _headers, body = _http(
        "POST",
        f"{url}/wp-admin/install.php?step=2",
        {
            "weblog_title": "cms-sync local",
            "user_name": "admin",
            "admin_password": admin_password,
            "admin_password2": admin_password,
            "pw_weak": "1",
            "admin_email": "admin@example.com",
            "blog_public": "0",
            "language": "",
        },
    )
    if status != 200 or ("install-success" not in body and "Success!" not in body):
        text = re.sub(r"<[^>]+>", " ", body)
        raise _fail(
            f"WordPress install answered {status}: {' '.join(text.split())[:500]}",
            workdir / "php.log",
        )


def _configure(workdir: Path, port: int, author_password: str) -> dict[str, Any]:
    script = workdir / "setup.php"
    script.write_text(SETUP_PHP)
    env = dict(os.environ)
    env.update(
        LW_PORT=str(port),
        LW_AUTHOR_PASSWORD=author_password,
        LW_APP_PASSWORD_NAME=APP_PASSWORD_NAME,
    )
    out = _run([_program("php"), *PHP_INI, str(script)], workdir / "setup.log", "setup.php", env)
    try:
        result: dict[str, Any] = json.loads(out)
    except ValueError as error:
        message = f"setup.php printed no JSON ({error}): {out[-1000:]}"
        raise _fail(message, workdir / "setup.log") from error
    return result


def _verify(workdir: Path, url: str, accounts: dict[str, tuple[str, int]]) -> None:
    """Prove what the tests rely on: app passwords authenticate and the REST API is linked."""
    log = workdir / "php.log"
    for user, (app_password, user_id) in accounts.items():
        status, _h, body = _http(
            "GET", f"{url}/wp-json/wp/v2/users/me?context=edit", auth=(user, app_password)
        )
        # A wrong app password is silently anonymous (401 rest_not_logged_in), so check the id.
        if status != 200 or json.loads(body).get("id") != user_id:
            raise _fail(f"users/me as {user} answered {status}: {body[:500]}", log)
    status, headers, _body = _http("GET", f"{url}/")
    link = headers.get("Link", "")
    if status != 200 or 'rel="https://api.w.org/"' not in link:
        raise _fail(f"front page answered {status} without the REST Link header ({link!r})", log)


# ---------------------------------------------------------------------------------------------
# Process control
# ---------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of pid from /proc, or None when it no longer exists."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _our_processes(pid: int, signature: str) -> list[int]:
    """The live processes of the server started as pid: pid itself plus what it forked
    (php -S workers, which outlive a terminated master).  start_new_session made pid the leader
    of its own process group; the signature (this workdir in the command line) guards against
    a pid reused by some other program after a reboot.  Zombies count as gone."""
    child = _CHILDREN.get(pid)
    if child is not None:
        child.poll()  # reap our own exited child so it does not linger as a zombie
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat and stat[1] == pid and stat[0] not in {"Z", "X"}:
            members.append(int(entry.name))
    return [member for member in members if signature in _cmdline(member)]


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # it exited on its own meanwhile
            os.kill(pid, signum)


def _wait_gone(pid: int, signature: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _our_processes(pid, signature):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate(pid: int, signature: str) -> str:
    """SIGTERM the server and its workers, wait up to STOP_TIMEOUT s, then SIGKILL."""
    targets = _our_processes(pid, signature)
    if not targets:
        _CHILDREN.pop(pid, None)
        return "not running"
    _signal_all(targets, signal.SIGTERM)
    outcome = "stopped"
    if not _wait_gone(pid, signature, STOP_TIMEOUT):
        _signal_all(_our_processes(pid, signature), signal.SIGKILL)
        _wait_gone(pid, signature, 5.0)
        outcome = "killed"
    child = _CHILDREN.pop(pid, None)
    if child is not None:  # reap it: no zombie, no "subprocess is still running" warning
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    return outcome


def _signatures(workdir: Path) -> dict[str, str]:
    """A string each server's command line must contain, tying the pid to this workdir."""
    return {"mariadbd": f"--datadir={workdir / 'db'}", "php": str(workdir / "router.php")}


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def read_state(workdir: Path) -> dict[str, Any]:
    """The state.json written by start()."""
    path = Path(workdir).resolve() / STATE_FILE
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise RuntimeError(f"{path} not found: was the site started in {workdir}?") from None
    return state


def start(workdir: Path, port: int | None = None) -> dict[str, Any]:
    """Start MariaDB + WordPress in workdir and return (and write) the state dict.

    On any failure the processes started so far are stopped and RuntimeError is raised.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    _refuse_reuse(workdir)
    started: list[subprocess.Popen[bytes]] = []
    signatures = _signatures(workdir)
    try:
        return _start(workdir, port, started)
    except BaseException as error:
        for proc, name in zip(started, ("mariadbd", "php"), strict=False):
            _terminate(proc.pid, signatures[name])
        if isinstance(error, (OSError, subprocess.SubprocessError, ValueError)):
            log = workdir / ("php.log" if len(started) > 1 else "mariadb.log")
            raise _fail(f"starting WordPress in {workdir} failed: {error!r}", log) from error
        raise


def _refuse_reuse(workdir: Path) -> None:
    """One site per workdir, built from scratch: never touch another run's files."""
    for leftover in ("db", "www"):
        if (workdir / leftover).exists():
            raise RuntimeError(
                f"{workdir / leftover} exists: start needs a fresh directory "
                "(stop the old site and remove the directory first)"
            )


def _start(
    workdir: Path, port: int | None, started: list[subprocess.Popen[bytes]]
) -> dict[str, Any]:
    sock = _socket_path(workdir)
    _init_db(workdir)
    started.append(_start_mariadb(workdir, sock))
    _create_database(workdir, sock)

    theme = _prepare_site(workdir)
    php, port = _start_php_on_free_port(workdir, sock, theme, port)
    started.append(php)
    url = f"http://127.0.0.1:{port}"

    admin_password = secrets.token_urlsafe(16)
    author_password = secrets.token_urlsafe(16)
    _install_wordpress(workdir, url, admin_password)
    setup = _configure(workdir, port, author_password)
    if setup.get("permalink_structure") != "/%postname%/":
        raise _fail(f"setup.php left permalinks at {setup.get('permalink_structure')!r}")
    _verify(
        workdir,
        url,
        {
            "admin": (setup["admin_app_password"], setup["admin_id"]),
            "author": (setup["author_app_password"], setup["author_id"]),
        },
    )
    state: dict[str, Any] = {
        "url": url,
        "admin": {
            "user": "admin",
            "password": admin_password,
            "app_password": setup["admin_app_password"],
            "id": setup["admin_id"],
        },
        "author": {
            "user": "author",
            "password": author_password,
            "app_password": setup["author_app_password"],
            "id": setup["author_id"],
        },
        "pids": {"mariadbd": started[0].pid, "php": started[1].pid},
        "workdir": str(workdir),
        "socket": str(sock),
        "theme": setup["theme"],
        "wp_version": _wp_version(),
    }
    (workdir / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    return state


def _start_php_on_free_port(
    workdir: Path, sock: Path, theme: str, port: int | None
) -> tuple[subprocess.Popen[bytes], int]:
    """Start php on the given port or on a free one; when we picked it ourselves, retry with
    another if someone grabbed it in between (the URL is baked into wp-config.php)."""
    attempts = 1 if port is not None else 3
    for attempt in range(1, attempts + 1):
        chosen = port if port is not None else _free_port()
        _write_config(workdir, f"http://127.0.0.1:{chosen}", sock, theme)
        try:
            return _start_php(workdir, chosen), chosen
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def stop(workdir: Path) -> dict[str, str]:
    """Terminate exactly the pids recorded in workdir/state.json; return what happened to each."""
    workdir = Path(workdir).resolve()
    state = read_state(workdir)
    signatures = _signatures(Path(state["workdir"]))
    # php first, so no request is left talking to a vanishing database.
    outcome = {
        name: _terminate(int(state["pids"][name]), signatures[name]) for name in ("php", "mariadbd")
    }
    sock = Path(state.get("socket", ""))
    if sock.parent.name.startswith("lwp-") and sock.parent.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(sock.parent, ignore_errors=True)  # the short socket dir _socket_path made
    return outcome


def status(workdir: Path) -> dict[str, bool]:
    """Whether each recorded server is still running."""
    state = read_state(workdir)
    signatures = _signatures(Path(state["workdir"]))
    return {
        name: int(pid) in _our_processes(int(pid), signatures[name])
        for name, pid in state["pids"].items()
    }


def env_lines(workdir: Path) -> list[str]:
    """Shell export lines pointing cms-sync at the admin account."""
    state = read_state(workdir)
    values = {
        "CMS_SYNC_URL": state["url"],
        "CMS_SYNC_USER": state["admin"]["user"],
        "CMS_SYNC_APP_PASSWORD": state["admin"]["app_password"],
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start", help="start a fresh site; print its state JSON")
    start_cmd.add_argument("workdir", type=Path)
    start_cmd.add_argument("--port", type=int, default=None)
    for name, text in (
        ("stop", "stop the recorded processes"),
        ("status", "show whether the recorded processes run (exit 1 if not all)"),
        ("env", "print export lines for CMS_SYNC_URL/USER/APP_PASSWORD"),
    ):
        commands.add_parser(name, help=text).add_argument("workdir", type=Path)
    args = parser.parse_args(argv)

    try:
        return _dispatch(args)
    except RuntimeError as error:
        print(f"local_wordpress: {error}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "start":
        began = time.monotonic()
        state = start(args.workdir, args.port)
        print(json.dumps(state, indent=2))
        print(f"started in {time.monotonic() - began:.1f} s", file=sys.stderr)
        return 0
    if args.command == "stop":
        for name, outcome in stop(args.workdir).items():
            print(f"{name}: {outcome}")
        return 0
    if args.command == "status":
        alive = status(args.workdir)
        for name, running in alive.items():
            print(f"{name}: {'running' if running else 'not running'}")
        return 0 if all(alive.values()) else 1
    for line in env_lines(args.workdir):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
