"""The documentation a user meets first: every command's --help (with an example of that
command) and the README's shell completion, checked against the Click group itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of ``group`` (sub-groups included), as the user types it."""
    found: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


def test_the_commands_a_user_expects_are_listed():
    listed = {path[0] for path in commands(cli)}
    assert {"check", "render", "preview", "plan", "publish"} <= listed


@pytest.mark.parametrize("path", commands(cli), ids=" ".join)
def test_every_command_help_shows_an_example_of_that_command(path):
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"cms-sync {' '.join(path)} --help has no example"
    example = result.output.split("Example", 1)[1]
    assert f"cms-sync {' '.join(path)}" in example, example


def test_the_group_help_shows_an_example():
    result = CliRunner().invoke(cli, ["--help"])
    assert "Example" in result.output


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_readme_shows_how_to_turn_on_completion(shell):
    assert f"_CMS_SYNC_COMPLETE={shell}_source cms-sync" in README.read_text("utf-8")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_click_writes_the_completion_script_the_readme_names(shell, monkeypatch):
    # What the README's line runs: Click prints the script and exits 0.
    monkeypatch.setenv("_CMS_SYNC_COMPLETE", f"{shell}_source")
    result = CliRunner().invoke(cli, [], prog_name="cms-sync")
    assert result.exit_code == 0
    assert "_CMS_SYNC_COMPLETE" in result.output


GENERATED = [
    ".venv/bin/python",
    ".wp/state.json",
    ".screenshots/wp/state.json",
    "dist/cms-sync-companion.zip",
    "rendered/a.html",
    "out/a.html",
    "tests/artifacts/shot.png",
    ".pytest_cache/README.md",
    ".mypy_cache/3.11/x.json",
    ".ruff_cache/CACHEDIR.TAG",
    "src/cms_sync.egg-info/PKG-INFO",
    "src/cms_sync/__pycache__/cli.cpython-311.pyc",
]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_the_tools_generate_is_ignored_by_git():
    root = README.parent
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *GENERATED],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    not_ignored = [line.split("\t")[1] for line in result.stdout.splitlines() if line[0] == ":"]
    assert not_ignored == []
