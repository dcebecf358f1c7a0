"""Bad input, everywhere, before the first request (issue 12, part 4).

One table of malformed inputs, articles and cms-sync.toml alike, each run through `check`,
`render`, `plan`, `publish` and `preview`. Each must give one line naming file:line (or the config
key) and what to do, exit 1, and no traceback; `plan` and `publish` must send nothing: the
requests are counted where they would arrive, at the real test WordPress (marker
`wordpress`). `preview` shows a broken article as its error page (HTTP 500) and refuses to
start on a broken cms-sync.toml with the same one line (the live preview's answer to a
config broken while it runs is tested in test_preview.py).

test_check_corpus.py holds the finer wording of each front-matter finding; this table is
about where each kind of bad input is stopped, so it repeats only a few of those.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli
from cms_sync.preview import PreviewServer

from .conftest import Project
from .test_check_corpus import art
from .test_safety_files import fetch

SECRET = b"\x89PNG\r\n\x1a\nthe runner's secret"
MARKUP = (
    "is HTML markup; this field is plain text, shown as written in the preview but read as "
    "HTML by WordPress themes; remove the markup (a '<' before a space, as in 'a < b', is fine)"
)
OUTSIDE = (
    "resolves to {outside}, outside the project ({root}); cms-sync reads only files inside "
    "it, symlinks followed: copy the {what} into the project"
)
DATE = "date: cannot read date '{}' ({}); write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"


def sparse(path: Path, size: int) -> None:
    """A file of ``size`` bytes that takes no room on disk and no time to write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


@dataclass(frozen=True)
class Bad:
    """One malformed input: article files (under articles/), lines added to cms-sync.toml, a
    step for what files cannot say (symlinks, pipes, sizes), and the one line expected
    (``{root}``, ``{outside}``, ``{config}``: the project, a file beside it, the config)."""

    expect: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    config: str = ""
    make: Callable[[Project, Path], None] | None = None

    @property
    def in_config(self) -> bool:
        return self.expect.startswith("Error: ")


def link(name: str, to: Callable[[Project, Path], Path]) -> Callable[[Project, Path], None]:
    def make(project: Project, outside: Path) -> None:
        (project.articles / name).symlink_to(to(project, outside))

    return make


CASES: dict[str, Bad] = {
    # -- front matter -----------------------------------------------------------------------
    "yaml-syntax": Bad(
        "articles/a.md:2: error: invalid YAML in front matter: expected a closing ']' for "
        "the list that starts here (items separated by ',')",
        {"a.md": art("title: [Broken\n")},
    ),
    "yaml-python-object": Bad(
        "articles/a.md:2: error: invalid YAML in front matter: could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        {"a.md": art("title: !!python/object/apply:os.system ['touch pwned']\n")},
    ),
    "yaml-alias-bomb": Bad(  # nine levels of nine aliases: a billion values to print
        "articles/a.md:4: error: invalid YAML in front matter: found an alias (*name): write "
        "the value out; cms-sync does not expand anchors and aliases in front matter",
        {
            "a.md": art(
                "title: A\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + "".join(f"x{n}: &x{n} [{', '.join([f'*x{n - 1}'] * 9)}]\n" for n in range(1, 9))
                + "status: *x8\n"
            )
        },
    ),
    "date-month-13": Bad(
        "articles/a.md:3: error: " + DATE.format("2026-13-45", "month must be in 1..12"),
        {"a.md": art("title: A\ndate: 2026-13-45\n")},
    ),
    "date-february-30": Bad(
        "articles/a.md:3: error: " + DATE.format("2026-02-30", "day is out of range for month"),
        {"a.md": art("title: A\ndate: 2026-02-30\n")},
    ),
    "time-25-61": Bad(
        "articles/a.md:3: error: " + DATE.format("2026-02-20 25:61:00", "hour must be in 0..23"),
        {"a.md": art("title: A\ndate: 2026-02-20 25:61:00\n")},
    ),
    "duplicate-key": Bad(
        "articles/a.md:3: error: 'title' is set twice (first on line 2); keep one",
        {"a.md": art("title: A\ntitle: B\n")},
    ),
    "duplicate-slug": Bad(
        "articles/b.md:3: error: slug 'same' is also used by articles/a.md; slugs must be unique",
        {"a.md": art("title: A\nslug: same\n"), "b.md": art("title: B\nslug: same\n")},
    ),
    "duplicate-slug-from-title": Bad(
        "articles/b.md:1: error: slug 'same-title' is also used by articles/a.md; slugs must "
        "be unique",
        {"a.md": art("title: Same Title\n"), "b.md": art("title: same title\n")},
    ),
    "no-front-matter": Bad(
        "articles/a.md:1: error: no front matter: the file must start with a '---' line",
        {"a.md": "# Just markdown\n"},
    ),
    "front-matter-not-closed": Bad(
        "articles/a.md:1: error: front matter is not closed: add a '---' line after it",
        {"a.md": "---\ntitle: A\n"},
    ),
    "title-missing": Bad(
        "articles/a.md:1: error: missing title; add 'title: ...' to the front matter",
        {"a.md": art("slug: a\n")},
    ),
    "title-empty": Bad(
        "articles/a.md:2: error: title is empty; give the article a title",
        {"a.md": art('title: "  "\n')},
    ),
    "title-only-markup": Bad(
        f"articles/a.md:2: error: title: '<em>' {MARKUP}",
        {"a.md": art("title: '<em></em>'\n")},
    ),
    "tag-only-markup": Bad(
        f"articles/a.md:3: error: tags: '<b>' {MARKUP}",
        {"a.md": art("title: A\ntags: ['<b></b>']\n")},
    ),
    "category-only-markup": Bad(
        f"articles/a.md:3: error: categories: '<script>' {MARKUP}",
        {"a.md": art("title: A\ncategories: [News, '<script></script>']\n")},
    ),
    "tag-too-long": Bad(  # WordPress answers 500 db_insert_error after the other terms
        "articles/a.md:3: error: tags: '" + "x" * 20 + "…' is 201 characters; WordPress keeps "
        "at most 200 in a tag or category name: shorten it",
        {"a.md": art("title: A\ntags: [ok, " + "x" * 201 + "]\n")},
    ),
    "status-unknown": Bad(
        "articles/a.md:3: error: status: unknown status 'published'; use one of: draft, "
        "pending, publish, private, future",
        {"a.md": art("title: A\nstatus: published\n")},
    ),
    "future-without-date": Bad(
        "articles/a.md:3: error: status 'future' needs a date to publish at; add 'date:'",
        {"a.md": art("title: A\nstatus: future\n")},
    ),
    "slug-invalid": Bad(
        "articles/a.md:3: error: slug 'Hello World' is not a valid slug (WordPress would "
        "store 'hello-world'); use lowercase letters, digits and hyphens",
        {"a.md": art("title: A\nslug: Hello World\n")},
    ),
    "lang-invalid": Bad(
        "articles/a.md:3: error: lang 'Bengali' is not a language code such as bn, es or en",
        {"a.md": art("title: A\nlang: Bengali\n")},
    ),
    "comments-open-without-notice": Bad(
        "articles/a.md:4: error: comments are open but there is no notice for lang 'es'; "
        "add one (kind: notice) or close comments",
        {"a.md": art("title: A\nlang: es\ncomment_status: open\n")},
    ),
    # -- the file itself --------------------------------------------------------------------
    "not-utf8": Bad(
        "articles/a.md:2: error: file is not UTF-8 (byte 14); save it as UTF-8",
        {"a.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
    ),
    "utf16-with-bom": Bad(
        "articles/a.md:1: error: file is not UTF-8 (byte 0); save it as UTF-8",
        {"a.md": art("title: A\n").encode("utf-16")},
    ),
    "article-20-mb": Bad(
        "articles/a.md:1: error: the file is 20.0 MB of markdown, over the limit of 2.0 MB "
        "per article; split it into parts of a series",
        make=lambda project, _: sparse(project.articles / "a.md", 20 << 20),
    ),
    "article-linked-outside": Bad(
        "articles/a.md:1: error: the file "
        + OUTSIDE.replace("{what}", "file").replace("{outside}", "{outside_md}"),
        make=link("a.md", lambda _, outside: outside.with_name("outside.md")),
    ),
    "article-is-a-folder": Bad(
        "articles/a.md:1: error: the file is a folder, not a regular file: rename or remove it",
        make=lambda project, _: (project.articles / "a.md").mkdir(),
    ),
    "article-is-a-pipe": Bad(  # reading it would wait for ever
        "articles/a.md:1: error: the file is a pipe, socket or device, not a regular file: "
        "rename or remove it",
        make=lambda project, _: os.mkfifo(project.articles / "a.md"),
    ),
    # -- images -----------------------------------------------------------------------------
    "image-missing": Bad(
        "articles/a.md:5: error: image 'img/chart.png' does not exist",
        {"a.md": art("title: A\n", "![chart](img/chart.png)\n")},
    ),
    "image-dangling-link": Bad(
        "articles/a.md:5: error: image 'gone.png' does not exist",
        {"a.md": art("title: A\n", "![x](gone.png)\n")},
        make=link("gone.png", lambda project, _: project.root / "deleted.png"),
    ),
    "image-is-a-folder": Bad(
        "articles/a.md:5: error: image 'x.png' is a folder, not a regular file: rename or "
        "remove it",
        {"a.md": art("title: A\n", "![x](x.png)\n")},
        make=lambda project, _: (project.articles / "x.png").mkdir(),
    ),
    "image-is-a-pipe": Bad(
        "articles/a.md:5: error: image 'x.png' is a pipe, socket or device, not a regular "
        "file: rename or remove it",
        {"a.md": art("title: A\n", "![x](x.png)\n")},
        make=lambda project, _: os.mkfifo(project.articles / "x.png"),
    ),
    "image-outside-by-dots": Bad(
        "articles/a.md:5: error: image '../../outside.png' " + OUTSIDE.replace("{what}", "image"),
        {"a.md": art("title: A\n", "![x](../../outside.png)\n")},
    ),
    "image-outside-by-symlink": Bad(
        "articles/a.md:5: error: image 'x.png' " + OUTSIDE.replace("{what}", "image"),
        {"a.md": art("title: A\n", "![x](x.png)\n")},
        make=link("x.png", lambda _, outside: outside),
    ),
    "featured-image-outside-by-absolute-path": Bad(
        "articles/a.md:3: error: featured_image '{outside}' " + OUTSIDE.replace("{what}", "image"),
        {"a.md": art("title: A\nfeatured_image: {outside}\n")},
    ),
    "featured-image-missing": Bad(
        "articles/a.md:3: error: featured_image cover.jpg does not exist",
        {"a.md": art("title: A\nfeatured_image: cover.jpg\n")},
    ),
    "image-50-mb": Bad(
        "articles/a.md:5: error: image 'big.png' is 50.0 MB, over cms-sync's limit of 20.0 MB "
        "per image (WordPress's own limit is the host's upload_max_filesize, often lower); "
        "make it smaller",
        {"a.md": art("title: A\n", "![x](big.png)\n")},
        make=lambda project, _: sparse(project.articles / "big.png", 50 << 20),
    ),
    "link-to-missing-article": Bad(
        "articles/a.md:5: error: link to 'part-2.md': no such article file",
        {"a.md": art("title: A\n", "See [part 2](part-2.md).\n")},
    ),
    # -- cms-sync.toml ----------------------------------------------------------------------
    "config-unknown-key": Bad(
        "Error: {config}: unknown setting 'sit_url' (did you mean 'site_url'?)",
        config='sit_url = "https://blog.example.org"\n',
    ),
    "config-with-a-password": Bad(
        "Error: {config}: 'app_password' must not be in the config file, which is committed "
        "to git; set CMS_SYNC_APP_PASSWORD or use ~/.netrc",
        config='app_password = "abcd efgh ijkl mnop"\n',
    ),
    "config-url-without-scheme": Bad(
        "Error: {config}:3: site_url 'blog.example.org' is not a web address; write it with "
        "https:// and the host, e.g. https://blog.example.org",
        config='site_url = "blog.example.org"\n',
    ),
    "config-plain-http-to-another-host": Bad(
        "Error: {config}:3: site_url 'http://blog.example.org' is plain http to another "
        "machine, which would carry the application password in clear; write "
        "https://blog.example.org (plain http only for localhost)",
        config='site_url = "http://blog.example.org"\n',
    ),
    "config-toml-syntax": Bad(
        "Error: {config}:4: invalid TOML: expected a 'key = value' line (no spaces in the "
        "key, '=' not ':')",
        config='user: "editor"\n',
    ),
    "config-unknown-status": Bad(
        "Error: {config}: default_status 'published' is not one of draft, pending, publish, "
        "private, future",
        config='default_status = "published"\n',
    ),
    "config-ca-bundle-missing": Bad(
        "Error: {config}:4: ca_bundle {root}/ca.pem: no such file; give the PEM file of the "
        "certificate authority that signed the site's certificate",
        config='ca_bundle = "ca.pem"\n',
    ),
}


def prepare(project: Project, case: str) -> str:
    """Write the case into ``project``; the line it must give, with its paths filled in."""
    bad = CASES[case]
    outside = project.root.parent / "outside.png"
    outside.write_bytes(SECRET)
    outside.with_name("outside.md").write_text("Secret notes of the runner\n", encoding="utf-8")
    outside = outside.resolve()
    root = project.root.resolve()
    for name, text in bad.files.items():
        project.write(
            name, text.replace("{outside}", str(outside)) if isinstance(text, str) else text
        )
    if bad.config:
        config = project.config.read_text("utf-8")
        # site_url and default_status replace the fixture's lines; anything else is added.
        lines = config.splitlines(True)
        keep = [line for line in lines if line.split(" ")[0] not in bad.config]
        project.config.write_text("".join(keep) + bad.config, encoding="utf-8")
    if bad.make:
        bad.make(project, outside)
    outside_md = outside.with_name("outside.md")
    return bad.expect.format(
        root=root, outside=outside, outside_md=outside_md, config=project.config
    )


def run(project: Project, *args: str, env: dict[str, str] | None = None):
    """``cms-sync --config ... ARGS`` in-process; never a traceback."""
    result = CliRunner().invoke(cli, ["--config", str(project.config), *args], env=env)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "unexpected" not in output, output
    return result


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_every_case_is_an_error():
    # Every case is an error: none of them may pass with a warning only.
    assert all(": error: " in bad.expect or bad.in_config for bad in CASES.values())


@pytest.mark.parametrize("command", ["check", "render"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_check_and_render_give_one_line_with_file_and_line(project, tmp_path, case, command):
    expected = prepare(project, case)
    out = tmp_path / "out"
    result = run(project, *([command] if command == "check" else [command, "--out", str(out)]))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == expected
    assert not out.exists()  # render wrote nothing


@pytest.mark.parametrize("case", sorted(CASES))
def test_preview_shows_the_error_and_serves_the_rest(project, case):
    expected = prepare(project, case)
    project.write("good.md", art("title: Good\n"))
    if CASES[case].in_config:  # a preview cannot start without its config: one line
        result = run(project, "preview", "--port", "0")
        assert result.exit_code == 1
        first, *excerpt = result.stderr.splitlines()
        assert first == expected
        assert all(line.startswith("    ") for line in excerpt)  # a line and its caret
        return
    path, _, message = expected.partition(": error: ")
    with PreviewServer(project.config) as server:
        pages = server.preview.pages
        [broken] = [
            name for name in pages.failed if html.escape(f"{path}: {message}") in pages.html[name]
        ]
        status, page = fetch(server.url + broken)
        assert status == 500 and "Secret" not in page and "secret" not in page
        assert fetch(server.url + "good.html")[0] == 200
        status, index = fetch(server.url)
    assert status == 200 and "status-broken" in index
    assert b"secret" not in index.encode()


# -- plan and publish: nothing reaches the real WordPress ----------------------------------


def site_env(wordpress_site, project: Project, case: str | None = None) -> dict[str, str]:
    env = {**wordpress_site.env(), "HOME": str(project.root)}
    if case and "site_url" in CASES[case].config:
        env.pop("CMS_SYNC_URL")  # the URL written in the config is the case
    return env


def test_a_good_project_does_reach_the_site(wordpress_site, project):
    """The counter sees cms-sync's requests: zero below means none were sent."""
    project.write("good.md", art("title: Good\n"))
    position = wordpress_site.log_position()
    result = run(project, "plan", env=site_env(wordpress_site, project))
    assert result.exit_code == 0, result.output
    assert any("/wp/v2/users/me" in line for line in wordpress_site.requests_since(position))


@pytest.mark.parametrize("command", ["plan", "publish"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_and_publish_stop_before_the_first_request(wordpress_site, project, case, command):
    expected = prepare(project, case)
    position = wordpress_site.log_position()
    result = run(project, command, env=site_env(wordpress_site, project, case))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == expected
    if not CASES[case].in_config:
        assert lines[-1] == "Error: 1 problem(s) in the articles; nothing was done"
    assert wordpress_site.requests_since(position) == []


# -- what is not an error ------------------------------------------------------------------


def test_a_byte_order_mark_and_windows_line_ends_change_nothing(project, tmp_path):
    """Editors on Windows save both: the post is the same as from a plain UTF-8 file."""
    text = art("title: A\nslug: a\ntags: [x]\n", "Some *text*.\n\n- one\n- two\n")
    project.write("a.md", text)
    run(project, "-q", "render", "--out", str(tmp_path / "plain"))
    project.write("a.md", ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    assert run(project, "check").exit_code == 0
    run(project, "-q", "render", "--out", str(tmp_path / "windows"))
    plain, windows = (tmp_path / "plain" / "a.html", tmp_path / "windows" / "a.html")
    assert windows.read_text("utf-8") == plain.read_text("utf-8")


def test_a_term_name_of_200_characters_is_fine(project):
    project.write("a.md", art("title: A\ntags: [" + "x" * 200 + "]\n"))
    assert run(project, "check").exit_code == 0


# -- files that cannot be read -------------------------------------------------------------
# The tests run as root, who reads any file whatever its mode; setpriv drops the capabilities
# that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a mode-000 file is unreadable to
# cms-sync as it would be to any other user.

UNREADABLE = {
    "article": ("b.md", "articles/b.md:1: error: the file cannot be read (Permission denied); "
                "make it readable: chmod a+r b.md"),
    "image": ("x.png", "articles/a.md:8: error: image 'x.png' cannot be read (Permission "
              "denied); make it readable: chmod a+r x.png"),
    "featured-image": ("c.png", "articles/a.md:3: error: featured_image 'c.png' cannot be read "
                       "(Permission denied); make it readable: chmod a+r c.png"),
}  # fmt: skip


def unreadable(project: Project, which: str) -> str:
    project.write("a.md", art("title: A\nfeatured_image: c.png\n", "Text.\n\n![x](x.png)\n"))
    project.write("b.md", art("title: B\n"))
    for name in ("x.png", "c.png"):
        (project.articles / name).write_bytes(SECRET)
    name, expected = UNREADABLE[which]
    (project.articles / name).chmod(0)
    return expected


def without_root_powers(project: Project, *args: str, env: dict[str, str] | None = None):
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to read files as a user who is not root")
    drop = "-dac_override,-dac_read_search"
    command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", sys.executable]
    command += ["-m", "cms_sync", "--config", str(project.config), *args]
    environment = {**os.environ, "HOME": str(project.root), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)


@pytest.mark.parametrize("which", sorted(UNREADABLE))
def test_an_unreadable_file_is_a_check_error(project, which):
    expected = unreadable(project, which)
    result = without_root_powers(project, "check")
    assert (result.returncode, result.stderr.splitlines()[0]) == (1, expected), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["plan", "publish"])
@pytest.mark.parametrize("which", sorted(UNREADABLE))
def test_an_unreadable_file_stops_plan_and_publish_before_any_request(
    wordpress_site, project, which, command
):
    expected = unreadable(project, which)
    position = wordpress_site.log_position()
    result = without_root_powers(project, command, env=site_env(wordpress_site, project))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        expected,
        "Error: 1 problem(s) in the articles; nothing was done",
    ]
    assert wordpress_site.requests_since(position) == []
