"""WordPress's files: the core tree, its themes and wp-config.php, all inside WORKDIR/www.

The core comes from Debian's package (/usr/share/wordpress, WordPress 6.1) or from a release
archive (``--archive``: wordpress-X.Y.Z.tar.gz, whose tree is under ``wordpress/``).  Either way
the site gets a private copy: WordPress writes into its own tree (uploads, the installer), and
with a copy nothing under /usr or next to the archive is touched and nothing is cached outside
the work directory.  Themes come from the tree itself plus Debian's wordpress-theme-* packages
(the archive brings only block themes; Debian's twentytwentyone adds a classic one).
"""

from __future__ import annotations

import re
import secrets
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

DEBIAN_TREE = Path("/usr/share/wordpress")
# Debian's theme packages (wordpress-theme-twenty*) install here; the wordpress package itself
# ships no theme at all, only Recommends one.
THEME_SOURCES = (
    DEBIAN_TREE / "wp-content" / "themes",
    Path("/var/lib/wordpress/wp-content/themes"),
)
# WordPress 6.1's WP_DEFAULT_THEME, and still shipped by 7.0: both versions get the same theme,
# so a difference between them is WordPress's, not the theme's.
PREFERRED_THEME = "twentytwentythree"
FALLBACK_THEME = "cms-sync-minimal"  # when no theme package is installed at all
FALLBACK_THEME_FILES = Path(__file__).parent / "php" / "fallback-theme"
ARCHIVE_ROOT = "wordpress"


def prepare(www: Path, archive: Path | None) -> str:
    """Put a copy of WordPress into www; return the theme to make the default."""
    if archive is None:
        _copy_debian_tree(www)
    else:
        _unpack_archive(archive, www)
    # WP_CONTENT_DIR stays inside the document root of php -S, so uploads and theme files are
    # served at WP_CONTENT_URL (url/wp-content) with no extra route; outside it, the editor's
    # theme styles would 404.
    (www / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
    return _install_themes(www / "wp-content")


def install_plugin(www: Path, source: Path) -> str:
    """Copy the plugin folder source into wp-content/plugins, named after its main file (the
    top-level .php whose header has "Plugin Name:", as WordPress finds it); return the plugin
    file as WordPress names it ("cms-sync-companion/cms-sync-companion.php")."""
    mains = [
        path
        for path in sorted(Path(source).glob("*.php"))
        if "Plugin Name:" in path.read_text(errors="replace")[:8192]
    ]
    if len(mains) != 1:
        raise RuntimeError(f"{source} has {len(mains)} plugin main files (want 1): {mains}")
    slug = mains[0].stem
    target = www / "wp-content" / "plugins" / slug
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return f"{slug}/{mains[0].name}"


def version(www: Path) -> str:
    """The $wp_version of the WordPress tree in www."""
    text = (www / "wp-includes" / "version.php").read_text()
    match = re.search(r"\$wp_version\s*=\s*'([^']+)'", text)
    return match.group(1) if match else "unknown"


def _copy_debian_tree(www: Path) -> None:
    """Copy Debian's core files. Its wp-config.php (a loader for /etc/wordpress/config-*.php)
    and its .htaccess (a symlink into /etc) are replaced or not needed."""
    shutil.copytree(
        DEBIAN_TREE,
        www,
        # Debian replaces bundled libraries (getID3, underscore, cropper, ca-bundle.crt) with
        # *relative* symlinks into /usr/share; copied as links they would dangle, so copy targets.
        symlinks=False,
        ignore=lambda folder, names: (
            [n for n in names if n in {"wp-config.php", ".htaccess"}]
            if folder == str(DEBIAN_TREE)
            else []
        ),
    )


def _unpack_archive(archive: Path, www: Path) -> None:
    """Extract the archive's wordpress/ tree as www (unpacked next to it, then renamed)."""
    staging = www.parent / "unpack"
    try:
        with tarfile.open(archive) as tar:
            members = list(_tree_members(tar, archive))
            if f"{ARCHIVE_ROOT}/wp-includes/version.php" not in {m.name for m in members}:
                raise RuntimeError(f"{archive} holds no WordPress tree under {ARCHIVE_ROOT}/")
            # The "data" filter (Python >= 3.11.4) also drops odd permission bits; older
            # Pythons rely on _tree_members() alone.
            options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(staging, members=members, **options)
    except (OSError, tarfile.TarError) as error:
        raise RuntimeError(f"cannot unpack the WordPress archive {archive}: {error}") from error
    (staging / ARCHIVE_ROOT).rename(www)
    shutil.rmtree(staging)


def _tree_members(tar: tarfile.TarFile, archive: Path) -> Iterator[tarfile.TarInfo]:
    """The plain files and folders under wordpress/; anything that could land elsewhere is
    refused."""
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if not parts or parts[0] != ARCHIVE_ROOT:
            continue
        if ".." in parts or not (member.isfile() or member.isdir()):
            raise RuntimeError(f"{archive}: refusing to unpack {member.name!r}")
        yield member


def _install_themes(content: Path) -> str:
    """Give the site real copies of Debian's themes it lacks; return the default theme."""
    themes = content / "themes"
    themes.mkdir(parents=True, exist_ok=True)
    for source in THEME_SOURCES:
        for theme in sorted(source.glob("*/style.css")) if source.is_dir() else []:
            target = themes / theme.parent.name
            if not target.exists():  # the tree's own (newer, for an archive) copy wins
                # symlinks=False: a real copy, independent of /usr and /var/lib.
                shutil.copytree(theme.parent.resolve(), target)
    installed = sorted(p.parent.name for p in themes.glob("*/style.css"))
    if PREFERRED_THEME in installed:
        return PREFERRED_THEME
    if installed:
        return installed[-1]
    shutil.copytree(FALLBACK_THEME_FILES, themes / FALLBACK_THEME)
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


def write_config(www: Path, url: str, sock: Path, theme: str) -> None:
    """Write www/wp-config.php for a site at url whose database listens on sock."""
    salts = "".join(f"define('{name}', '{secrets.token_urlsafe(48)}');\n" for name in SALT_NAMES)
    (www / "wp-config.php").write_text(f"""<?php
// Written by scripts/local_wordpress.py for a throwaway local WordPress.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {_php_quote(f"localhost:{sock}")});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}define('WP_HOME', {_php_quote(url)});
define('WP_SITEURL', {_php_quote(url)});
define('WP_CONTENT_DIR', {_php_quote(str(www / "wp-content"))});
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
""")
