"""Templates are rendered in Jinja2's sandbox: a template (which a pull request can change,
and which plan and preview render in CI with a site's password at hand) cannot reach
Python's internals; trying is one error line naming the template, and nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('touch %s') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    "{{ lipsum.__globals__['os'].system('touch %s') }}",
    "{% set x = labels.update({'a': 1}) %}{{ joiner.__init__.__globals__.os.popen('touch %s') }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_cannot_run_commands(project, tmp_path: Path, escape: str):
    witness = tmp_path / "ran"
    post = project.root / "templates" / "post.html"
    post.write_text(post.read_text("utf-8") + escape.replace("%s", str(witness)), "utf-8")
    project.write("one.md", "---\ntitle: One\ncomment_status: closed\n---\n\nText.\n")
    result = CliRunner().invoke(cli, ["--config", str(project.config), "render", "--out",
                                      str(tmp_path / "out")])  # fmt: skip
    assert not witness.exists()
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert "post.html" in line and "template error" in line and "unsafe" in line, line


def test_the_shipped_templates_render_in_the_sandbox(project, tmp_path: Path):
    project.write("one.md", "---\ntitle: One\ncomment_status: closed\n---\n\nText.\n")
    result = CliRunner().invoke(
        cli, ["--config", str(project.config), "render", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
