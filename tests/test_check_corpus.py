"""The bad-input corpus: every broken article or notice gets its exact message and line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cms_sync.cli import cli

GOOD = "---\ntitle: Good\ncomment_status: closed\n---\nBody.\n"


def art(front: str, body: str = "Body.\n") -> str:
    """An article with the given front-matter lines (comments closed unless set)."""
    if "comment_status" not in front:
        front += "comment_status: closed\n"
    return f"---\n{front}---\n{body}"


def notice(drop: tuple[str, ...] = (), **extra: str) -> str:
    fields = {
        "kind": "notice",
        "lang": "es",
        "controller": "Ana",
        "purpose": "Comentarios.",
        "legal_basis": "Consentimiento.",
        "recipients": "Nadie.",
        "storage": "Hosting (UE).",
        "storage_region": "EU",
        "rights": "Acceso, borrado.",
        "policy_url": "https://example.org/privacidad/",
    }
    fields.update(extra)
    lines = "".join(f"{k}: {v}\n" for k, v in fields.items() if k not in drop)
    return f"---\n{lines}---\n"


E = "error"
W = "warning"
CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    # A syntax error says what is expected and shows its line with a caret under the spot.
    "yaml-unclosed-list": (
        {"a.md": art("title: [Broken\nslug: x\n")},
        [
            "articles/a.md:2: error: invalid YAML in front matter: expected a closing ']' for "
            "the list that starts here (items separated by ',')",
            "    title: [Broken",
            "           ^",
        ],
    ),
    "yaml-bad-indent": (
        {"a.md": "---\ntitle: T\n  slug: x\n---\n"},
        [
            "articles/a.md:3: error: invalid YAML in front matter: expected a 'key: value' line "
            "at the left margin; indent only list items and the keys inside a mapping, under "
            "their key",
            "      slug: x",
            "          ^",
        ],
    ),
    "yaml-unclosed-quote": (
        {"a.md": art('title: "একটি ইকমার্স\nslug: x\n')},
        [
            'articles/a.md:2: error: invalid YAML in front matter: expected a closing quote " '
            "for the text that starts here",
            '    title: "একটি ইকমার্স',
            "           ^",
        ],
    ),
    "yaml-colon-in-value": (
        {"a.md": art("title: Part 1: the basics\n")},
        [
            "articles/a.md:2: error: invalid YAML in front matter: expected one ':' per line, "
            "after the key; put a value with ': ' in quotes",
            "    title: Part 1: the basics",
            "                 ^",
        ],
    ),
    "yaml-missing-colon": (
        {"a.md": art("title: T\nslug x\nlang: en\n")},
        [
            "articles/a.md:3: error: invalid YAML in front matter: expected a 'key: value' line; "
            "this line has no ':' after its key",
            "    slug x",
            "    ^",
        ],
    ),
    "yaml-list-item-indent": (
        {"a.md": art("title: T\ntags:\n  - a\n - b\n")},
        [
            "articles/a.md:5: error: invalid YAML in front matter: indent list items under their "
            "key ('  - item'), all by the same amount",
            "     - b",
            "     ^",
        ],
    ),
    "yaml-tab": (
        {"a.md": art("title: T\ntags:\n\t- a\n")},
        [
            "articles/a.md:4: error: invalid YAML in front matter: expected spaces: YAML does not "
            "allow tabs for indenting",
            "        - a",
            "    ^",
        ],
    ),
    "yaml-value-starts-with-at": (
        {"a.md": art("title: @home\n")},
        [
            "articles/a.md:2: error: invalid YAML in front matter: expected a value; a value "
            "starting with this character must be in quotes",
            "    title: @home",
            "           ^",
        ],
    ),
    "missing-title": (
        {"a.md": art("slug: a\n")},
        ["articles/a.md:1: error: missing title; add 'title: ...' to the front matter"],
    ),
    "empty-title": (
        {"a.md": art('slug: a\ntitle: ""\n')},
        ["articles/a.md:3: error: title is empty; give the article a title"],
    ),
    "null-title": (
        {"a.md": art("title:\n")},
        ["articles/a.md:2: error: title is empty; give the article a title"],
    ),
    "slug-with-spaces": (
        {"a.md": art("title: T\nslug: Hello World\n")},
        [
            "articles/a.md:3: error: slug 'Hello World' is not a valid slug (WordPress would "
            "store 'hello-world'); use lowercase letters, digits and hyphens"
        ],
    ),
    "slug-too-long": (
        {"a.md": art("title: T\nslug: " + "ক" * 23 + "\n")},
        [
            "articles/a.md:3: error: slug '" + "ক" * 23 + "' is not a valid slug "
            "(WordPress would store '" + "ক" * 22 + "'); use lowercase letters, digits and hyphens"
        ],
    ),
    "unknown-status": (
        {"a.md": art("title: T\nstatus: published\n")},
        [
            "articles/a.md:3: error: status: unknown status 'published'; use one of: draft, "
            "pending, publish, private, future"
        ],
    ),
    "unparseable-date": (
        {"a.md": art("title: T\ndate: next tuesday\n")},
        [
            "articles/a.md:3: error: date: cannot read date 'next tuesday'; write it as YYYY-MM-DD "
            "or YYYY-MM-DD HH:MM:SS"
        ],
    ),
    "future-without-date": (
        {"a.md": art("title: T\nstatus: future\n")},
        ["articles/a.md:3: error: status 'future' needs a date to publish at; add 'date:'"],
    ),
    "duplicate-slug": (
        {"a.md": art("title: A\nslug: same\n"), "b.md": art("title: B\nslug: same\n")},
        ["articles/b.md:3: error: slug 'same' is also used by articles/a.md; slugs must be unique"],
    ),
    "duplicate-slug-in-folders": (
        {"a/dup1.md": art("title: A\nslug: same\n"), "b/dup1.md": art("title: B\nslug: same\n")},
        [
            "articles/b/dup1.md:3: error: slug 'same' is also used by articles/a/dup1.md; slugs "
            "must be unique"
        ],
    ),
    "duplicate-slug-from-title": (
        {"a.md": art("title: Same Title\n"), "b.md": art("title: same title\n")},
        [
            "articles/b.md:1: error: slug 'same-title' is also used by articles/a.md; slugs must "
            "be unique"
        ],
    ),
    "duplicate-series-part": (
        {
            "a.md": art("title: A\nseries: {name: S, part: 1}\n"),
            "b.md": art("title: B\nseries: {name: S, part: 1}\n"),
        },
        [
            "articles/b.md:3: error: part 1 of series 'S' is also articles/a.md; give each part "
            "its own number"
        ],
    ),
    "series-part-zero": (
        {"a.md": art("title: A\nseries: {name: S, part: 0}\n")},
        ["articles/a.md:3: error: series part '0' must be a whole number from 1"],
    ),
    "series-without-name": (
        {"a.md": art("title: A\nseries: {part: 2}\n")},
        ["articles/a.md:3: error: series needs 'name' (text) and 'part' (a number from 1)"],
    ),
    "missing-image": (
        {"a.md": art("title: A\n", "Intro.\n\n![chart](img/chart.png)\n")},
        ["articles/a.md:7: error: image 'img/chart.png' does not exist"],
    ),
    "missing-featured-image": (
        {"a.md": art("title: A\nfeatured_image: cover.jpg\n")},
        ["articles/a.md:3: error: featured_image cover.jpg does not exist"],
    ),
    "missing-link-target": (
        {"a.md": art("title: A\n", "See [part 2](part-2.md#intro).\n")},
        ["articles/a.md:5: error: link to 'part-2.md': no such article file"],
    ),
    "not-utf8": (
        {"a.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
        ["articles/a.md:2: error: file is not UTF-8 (byte 14); save it as UTF-8"],
    ),
    "unknown-key-did-you-mean": (
        {"a.md": art("title: A\ntags: [x]\ncategores: [y]\n")},
        ["articles/a.md:4: error: unknown key 'categores'; did you mean 'categories'?"],
    ),
    "unknown-key-no-suggestion": (
        {"a.md": art("title: A\nzzz: 1\n")},
        ["articles/a.md:3: error: unknown key 'zzz'; remove it or fix its name"],
    ),
    "key-set-twice": (
        {"a.md": art("title: A\ntitle: B\n")},
        ["articles/a.md:3: error: 'title' is set twice (first on line 2); keep one"],
    ),
    "no-front-matter": (
        {"a.md": "# Just markdown\n"},
        ["articles/a.md:1: error: no front matter: the file must start with a '---' line"],
    ),
    "front-matter-not-closed": (
        {"a.md": "---\ntitle: A\n"},
        ["articles/a.md:1: error: front matter is not closed: add a '---' line after it"],
    ),
    "front-matter-is-a-list": (
        {"a.md": "---\n- title\n---\n"},
        ["articles/a.md:2: error: front matter must be a mapping of 'key: value' lines"],
    ),
    "categories-not-a-list": (
        {"a.md": art("title: A\ncategories: {a: 1}\n")},
        ["articles/a.md:3: error: categories: must be a list of names, e.g. [News, Guides]"],
    ),
    "comment-status-invalid": (
        {"a.md": art("title: A\ncomment_status: maybe\n")},
        ["articles/a.md:3: error: comment_status 'maybe' must be open or closed"],
    ),
    "lang-invalid": (
        {"a.md": art("title: A\nlang: Bengali\n")},
        ["articles/a.md:3: error: lang 'Bengali' is not a language code such as bn, es or en"],
    ),
    "comments-open-no-notice": (
        {"a.md": art("title: A\nlang: es\ncomment_status: open\n")},
        [
            "articles/a.md:4: error: comments are open but there is no notice for lang 'es'; "
            "add one (kind: notice) or close comments"
        ],
    ),
    "script-in-body": (
        {"a.md": art("title: A\n", "Text.\n\n<script>alert(1)</script>\n")},
        [
            "articles/a.md:7: warning: '<script' is removed by WordPress for users without "
            "unfiltered_html (Authors); avoid it"
        ],
    ),
    "notice-missing-controller": (
        {"n.md": notice(drop=("controller",))},
        [
            "articles/n.md:1: error: notice has no controller; the first layer must name it "
            "(LOPDGDD art. 11)"
        ],
    ),
    "notice-missing-purpose": (
        {"n.md": notice(drop=("purpose",))},
        [
            "articles/n.md:1: error: notice has no purpose; the first layer must name it "
            "(LOPDGDD art. 11)"
        ],
    ),
    "notice-empty-rights": (
        {"n.md": notice(rights='""')},
        [
            "articles/n.md:10: error: notice has no rights; the first layer must name it "
            "(LOPDGDD art. 11)"
        ],
    ),
    "notice-missing-legal-basis": (
        {"n.md": notice(drop=("legal_basis",))},
        [
            "articles/n.md:1: warning: notice has no legal_basis; the AEPD recommends it in the "
            "first layer"
        ],
    ),
    "notice-missing-recipients": (
        {"n.md": notice(drop=("recipients",))},
        [
            "articles/n.md:1: warning: notice has no recipients; the AEPD recommends it in the "
            "first layer"
        ],
    ),
    "notice-storage-outside-eea": (
        {"n.md": notice(storage_region="US")},
        [
            "articles/n.md:9: warning: data stored outside the EU/EEA (US) with no 'transfer' "
            "statement; say on what basis data leave the EEA"
        ],
    ),
    "notice-storage-without-region": (
        {"n.md": notice(drop=("storage_region",))},
        [
            "articles/n.md:8: warning: notice has no storage_region; give the country code (or EU) "
            "where data are stored"
        ],
    ),
    "notice-no-policy-link": (
        {"n.md": notice(drop=("policy_url",))},
        [
            "articles/n.md:1: warning: notice has no policy_url; link the full privacy policy "
            "(additional information)"
        ],
    ),
    "notice-bad-policy-link": (
        {"n.md": notice(policy_url="privacy.html")},
        [
            "articles/n.md:11: error: policy_url 'privacy.html' must be an http(s) URL or a site "
            "path"
        ],
    ),
    "notice-unknown-key": (
        {"n.md": notice(controler="Ana")},
        ["articles/n.md:12: error: unknown key 'controler'; did you mean 'controller'?"],
    ),
    "two-notices-one-lang": (
        {"n.md": notice(), "o.md": notice()},
        ["articles/o.md:3: error: second notice for lang 'es' (first: n.md); keep one"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_and_line(project, case):
    files, expected = CASES[case]
    for name, text in files.items():
        project.write(name, text)
    result = CliRunner().invoke(cli, ["--config", str(project.config), "check"])
    findings = [line for line in result.stderr.splitlines() if "article(s)" not in line]
    assert findings == expected
    has_error = any(": error: " in line for line in expected)
    assert result.exit_code == (1 if has_error else 0)


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_all_problems_are_reported_in_one_run(project):
    project.write("a.md", art("title: [x\n"))
    project.write("b.md", art("title: B\nstatus: nope\n"))
    project.write("c.md", art("title: C\nsluug: c\n"))
    project.write("d.md", GOOD)
    result = CliRunner().invoke(cli, ["--config", str(project.config), "check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "articles/a.md:2: error: invalid YAML in front matter: expected a closing ']' for the "
        "list that starts here (items separated by ',')",
        "    title: [x",
        "           ^",
        "articles/b.md:3: error: status: unknown status 'nope'; use one of: draft, pending, "
        "publish, private, future",
        "articles/c.md:3: error: unknown key 'sluug'; did you mean 'slug'?",
        "1 article(s), 1 notice(s): 3 error(s), 0 warning(s)",
    ]
