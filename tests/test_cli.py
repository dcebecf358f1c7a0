"""The command line: output, exit codes and conventions, asserted exactly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from cms_sync import __version__
from cms_sync.cli import cli

from .conftest import REPO


def run(*args: str, cwd=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"cms-sync, version {__version__}\n"


def test_python_dash_m_works():
    proc = subprocess.run(
        [sys.executable, "-m", "cms_sync", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.startswith("cms-sync, version ")


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        for flag in ("-h", "--help"):
            result = run(name, flag)
            assert result.exit_code == 0, name
            assert command.help and "Example:" in result.output, name
    assert "Exit codes: 0 ok, 1 error, 2 usage error, 3 publish conflicts" in run("-h").output


def test_check_on_this_repository_reports_no_error():
    result = run("--config", str(REPO / "cms-sync.toml"), "check")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "1 article(s), 1 notice(s): 0 error(s), 1 warning(s)"


def test_check_finds_the_nearest_config_from_a_subfolder(project, monkeypatch):
    project.write("a.md", "---\ntitle: A\nstatus: bad\n---\n")
    monkeypatch.chdir(project.articles)
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "articles/a.md:3: error: status: unknown status 'bad'; use one of: draft, pending, "
        "publish, private, future"
    )


def test_check_json(project):
    project.write("a.md", "---\ntitle: A\ncolour: red\ncomment_status: closed\n---\n")
    result = run("--config", str(project.config), "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False,
        "findings": [
            {
                "path": "articles/a.md",
                "line": 3,
                "severity": "error",
                "message": "unknown key 'colour'; remove it or fix its name",
            }
        ],
    }


def test_strict_turns_warnings_into_errors(project):
    project.write("a.md", "---\ntitle: A\nimage_alt: x\ncomment_status: closed\n---\n")
    assert run("--config", str(project.config), "check").exit_code == 0
    result = run("--config", str(project.config), "check", "--strict", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_quiet_hides_warnings_but_not_errors(project):
    project.write("a.md", "---\ntitle: A\nstatus: x\ncomment_status: closed\n---\n")
    project.write("b.md", "---\ntitle: B\nimage_alt: x\ncomment_status: closed\n---\n")
    assert "b.md:3: warning: image_alt" in run("--config", str(project.config), "check").stderr
    result = run("-q", "--config", str(project.config), "check")
    assert result.stderr == (
        "articles/a.md:3: error: status: unknown status 'x'; use one of: "
        "draft, pending, publish, private, future\n"
    )


def test_missing_config_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no cms-sync.toml in {tmp_path} or any parent folder; "
        "create one (see README, Configuration) or pass --config PATH\n"
    )


def test_config_refuses_a_password(project):
    project.config.write_text('app_password = "abcd efgh"\n')
    result = run("--config", str(project.config), "check")
    assert result.exit_code == 1
    assert "abcd" not in result.stderr
    assert result.stderr == (
        f"Error: {project.config}: 'app_password' must not be in the config "
        "file, which is committed to git; set CMS_SYNC_APP_PASSWORD or use "
        "~/.netrc\n"
    )


def test_config_unknown_setting_suggests(project):
    project.config.write_text('site_ulr = "http://x"\n')
    result = run("--config", str(project.config), "check")
    assert result.stderr == (
        f"Error: {project.config}: unknown setting 'site_ulr' (did you mean 'site_url'?)\n"
    )


def test_config_invalid_toml(project):
    project.config.write_text("site_url = \n")
    result = run("--config", str(project.config), "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {project.config}:1: invalid TOML: expected a value after '=': text in "
        "quotes, a number, true or false\n"
        "    site_url = \n"
        "               ^\n"
    )


def test_usage_error_exits_2():
    result = run("check", "--no-such-option")
    assert result.exit_code == 2
    assert "Error: No such option '--no-such-option'." in result.stderr


def test_render_refuses_when_check_fails_and_writes_nothing(project):
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\n![x](missing.png)\n")
    out = project.root / "out"
    result = run("--config", str(project.config), "render", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "articles/a.md:5: error: image 'missing.png' does not exist",
        "Error: 1 problem(s) in the articles; nothing was done",
    ]
    assert not out.exists()


def test_template_error_is_one_line_and_debug_adds_the_traceback(project):
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\n---\nText.\n")
    (project.root / "templates" / "post.html").write_text("{{ body }\n")
    args = ["--config", str(project.config), "render", "--out", str(project.root / "o")]
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {project.root / 'templates' / 'post.html'}:1: template error: unexpected '}}'\n"
    )
    debug = run("--debug", *args)
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr


def test_new_creates_the_next_part_with_complete_front_matter(project):
    project.write(
        "p1.md", "---\ntitle: One\nseries: {name: S, part: 1}\ncomment_status: closed\n---\n"
    )
    result = run("--config", str(project.config), "new", "Two: the sequel")
    assert result.exit_code == 0
    path = project.articles / "02-two-the-sequel.md"
    assert result.stdout == f"{path}\n"
    meta = yaml.safe_load(path.read_text("utf-8").split("---\n")[1])
    assert list(meta) == [
        "title",
        "slug",
        "date",
        "status",
        "lang",
        "series",
        "categories",
        "tags",
        "excerpt",
        "comment_status",
    ]
    assert meta["slug"] == "two-the-sequel"
    assert meta["series"] == {"name": "S", "part": 2}
    assert meta["status"] == "draft" and meta["lang"] == "en"
    check = run("--config", str(project.config), "check")
    assert check.exit_code == 0, check.stderr


def test_new_with_a_bengali_title_and_no_terminal_asks_for_a_slug(project):
    title = "একটি ইকমার্স ম্যানেজারের অবশ্যই 7 পেশাদার দক্ষতা থাকতে হবে"
    result = run("--config", str(project.config), "new", title, "--lang", "bn")
    assert result.exit_code == 2
    assert "pass --slug (proposed: একটি-ইকমার্স-ম্যানেজারের" in result.stderr
    assert sorted(p.name for p in project.articles.iterdir()) == ["notice.en.md"]


def test_new_refuses_to_reuse_a_slug(project):
    project.write("a.md", "---\ntitle: Same\ncomment_status: closed\n---\n")
    result = run("--config", str(project.config), "new", "Same")
    assert result.exit_code == 1
    assert result.stderr == "Error: slug 'same' is already used; pass --slug\n"


@pytest.mark.parametrize("command", ["check", "render", "new"])
def test_commands_are_listed_in_the_main_help(command):
    assert command in run("--help").output


def test_progress_bar_draws_in_place(capsys):
    from cms_sync.cli_common import draw_progress as _progress_bar

    _progress_bar("posts", 25, 50)
    _progress_bar("posts", 50, 50)
    err = capsys.readouterr().err
    assert err == (
        "\rposts    [" + "#" * 15 + "." * 15 + "] 25/50\rposts    [" + "#" * 30 + "] 50/50\n"
    )
