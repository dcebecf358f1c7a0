"""The throwaway-WordPress harness (scripts/wordpress_harness) without starting a server:
what it says is missing, how it unpacks a release archive, what it refuses."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from .wordpress_site import load_harness

harness = load_harness()


def make_archive(path: Path, files: dict[str, str], *, symlink: str | None = None) -> Path:
    """A .tar.gz holding the given text files (and optionally a symlink member)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if symlink:
            link = tarfile.TarInfo(symlink)
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tar.addfile(link)
    return path


RELEASE = {
    "wordpress/index.php": "<?php\n",
    "wordpress/wp-includes/version.php": "<?php\n$wp_version = '9.9.9';\n",
}


def test_missing_requirements_name_each_program_and_the_wordpress_source(monkeypatch, tmp_path):
    monkeypatch.setattr(harness.site, "find_program", lambda *names: None)
    monkeypatch.setattr(harness.site.files, "DEBIAN_TREE", tmp_path / "no-wordpress")
    assert harness.missing_requirements() == [
        "php",
        "mariadbd or mysqld",
        "mariadb-install-db or mysql_install_db",
        "mariadb or mysql",
        f"Debian's WordPress ({tmp_path / 'no-wordpress'})",
    ]
    archive = tmp_path / "wordpress-9.9.9.tar.gz"
    assert harness.missing_requirements(archive)[-1] == f"the WordPress archive {archive}"
    make_archive(archive, RELEASE)
    assert harness.missing_requirements(archive)[-1] == "mariadb or mysql"


def test_an_archive_is_unpacked_into_the_work_dir_only(monkeypatch, tmp_path):
    monkeypatch.setattr(harness.site.files, "THEME_SOURCES", ())
    archive = make_archive(tmp_path / "wp.tar.gz", {**RELEASE, "README": "outside the tree"})
    www = tmp_path / "site" / "www"
    www.parent.mkdir()
    theme = harness.site.files.prepare(www, archive)
    assert harness.site.files.version(www) == "9.9.9"
    assert (www / "index.php").is_file() and (www / "wp-content" / "uploads").is_dir()
    assert theme == "cms-sync-minimal"  # no theme in the archive, none from Debian
    assert (www / "wp-content" / "themes" / theme / "style.css").is_file()
    assert sorted(p.name for p in www.parent.iterdir()) == ["www"]


@pytest.mark.parametrize(
    ("files", "symlink", "message"),
    [
        ({"README": "no tree"}, None, "holds no WordPress tree under wordpress/"),
        ({**RELEASE, "wordpress/../evil.php": "x"}, None, "refusing to unpack"),
        (RELEASE, "wordpress/wp-config.php", "refusing to unpack"),
    ],
)
def test_an_archive_that_is_not_a_plain_wordpress_tree_is_refused(
    tmp_path, files, symlink, message
):
    archive = make_archive(tmp_path / "bad.tar.gz", files, symlink=symlink)
    (tmp_path / "site").mkdir()
    with pytest.raises(RuntimeError, match=message):
        harness.site.files.prepare(tmp_path / "site" / "www", archive)
    assert not (tmp_path / "evil.php").exists()
    assert list((tmp_path / "site").iterdir()) == []


def test_start_refuses_a_used_work_dir_before_starting_anything(tmp_path):
    (tmp_path / "db").mkdir()
    with pytest.raises(RuntimeError, match="start needs a fresh directory"):
        harness.start(tmp_path)


def test_env_lines_quote_the_credentials_for_the_shell(tmp_path):
    state = {"url": "http://127.0.0.1:8088", "admin": {"user": "admin", "app_password": "a b'c"}}
    (tmp_path / "state.json").write_text(json.dumps(state))
    assert harness.env_lines(tmp_path) == [
        "export CMS_SYNC_URL=http://127.0.0.1:8088",
        "export CMS_SYNC_USER=admin",
        "export CMS_SYNC_APP_PASSWORD='a b'\"'\"'c'",
    ]


def test_a_plugin_folder_is_installed_under_the_name_of_its_main_file(tmp_path):
    source = tmp_path / "wordpress-plugin"
    (source / "includes").mkdir(parents=True)
    (source / "my-plugin.php").write_text("<?php\n/**\n * Plugin Name: Mine\n */\n")
    (source / "includes" / "class-x.php").write_text("<?php\n")
    (source / "uninstall.php").write_text("<?php\n")
    (source / ".hidden").write_text("not copied")
    www = tmp_path / "www"
    assert harness.site.files.install_plugin(www, source) == "my-plugin/my-plugin.php"
    installed = www / "wp-content" / "plugins" / "my-plugin"
    assert sorted(p.name for p in installed.rglob("*")) == [
        "class-x.php", "includes", "my-plugin.php", "uninstall.php"]  # fmt: skip
    (source / "my-plugin.php").write_text("<?php\n")
    with pytest.raises(RuntimeError, match="has 0 plugin main files"):
        harness.site.files.install_plugin(tmp_path / "other", source)
