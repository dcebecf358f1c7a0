"""Errors a person can read: a syntax error in front matter or cms-sync.toml says what is
expected and shows its line with a caret under the spot; an unknown key anywhere names the
closest known one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.findings import caret_lines


def check(project, *args: str):
    return CliRunner().invoke(cli, ["--config", str(project.config), "check", *args])


def test_json_gives_the_line_and_column_of_a_syntax_error(project):
    project.write("a.md", "---\ntitle: [Broken\ncomment_status: closed\n---\nBody.\n")
    result = check(project, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"] == [
        {
            "path": "articles/a.md",
            "line": 2,
            "severity": "error",
            "message": "invalid YAML in front matter: expected a closing ']' for the list that "
            "starts here (items separated by ',')",
            "line_text": "title: [Broken",
            "column": 8,
        }
    ]


def test_the_caret_is_shown_when_check_is_not_at_a_terminal(project):
    # CliRunner is not a terminal: CI logs get the line and the caret too.
    project.write("a.md", "---\ntitle: T\nslug x\nlang: en\n---\n")
    assert check(project).stderr.splitlines()[1:3] == ["    slug x", "    ^"]


@pytest.mark.parametrize(
    ("text", "column", "caret"),
    [
        ("title: x", 8, "           ^"),
        ("\tx: 1", 2, "        ^"),  # a tab is drawn as four spaces
        ("title: ক্ষ: x", 11, "             ^"),  # the virama (্) takes no cell
        ("title: 日本: x", 10, "               ^"),  # wide letters take two
    ],
)
def test_the_caret_is_under_the_column_as_a_terminal_draws_it(text, column, caret):
    assert caret_lines(text, column)[1] == caret


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            'site_url: "http://x"\n',
            [
                ":1: invalid TOML: expected a 'key = value' line (no spaces in the key, "
                "'=' not ':')",
                '    site_url: "http://x"',
                "            ^",
            ],
        ),
        (
            'site_url = "http://x\nuser = "a"\n',
            [
                ":1: invalid TOML: expected a closing quote before the end of the line",
                '    site_url = "http://x',
                "                        ^",
            ],
        ),
        (
            'user = "a"\nuser = "b"\n',
            [
                ":2: invalid TOML: this key is already set above; keep one",
                '    user = "b"',
                "              ^",
            ],
        ),
        (
            "user = 'abc",
            [":1: invalid TOML: expected a closing quote", "    user = 'abc", "               ^"],
        ),
    ],
)
def test_a_toml_error_says_what_is_expected_under_its_line(project, toml, expected):
    project.config.write_text(toml)
    result = check(project)
    assert result.exit_code == 1
    first, *excerpt = result.stderr.splitlines()
    assert first == f"Error: {project.config}{expected[0]}"
    assert excerpt == expected[1:]


def test_unknown_keys_suggest_the_closest_known_one_everywhere(project):
    project.write("a.md", "---\ntitle: A\ncomment_status: closed\nexcerp: x\n---\n")
    project.write(
        "n.md",
        "---\nkind: notice\nlang: es\ncontroller: Ana\npurpose: P\nrights: R\n"
        "policy_ulr: https://example.org/p/\n---\n",
    )
    lines = check(project).stderr.splitlines()
    assert "articles/a.md:4: error: unknown key 'excerp'; did you mean 'excerpt'?" in lines
    assert "articles/n.md:7: error: unknown key 'policy_ulr'; did you mean 'policy_url'?" in lines
    project.config.write_text('default_lnag = "bn"\n')
    assert check(project).stderr == (
        f"Error: {project.config}: unknown setting 'default_lnag' (did you mean 'default_lang'?)\n"
    )
