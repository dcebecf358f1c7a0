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
    body, notice = post.split('\n\n<!-- wp:html -->\n<aside class="cms-sync-notice"')
    assert f'<div class="entry-content">\n{body}\n</div>' in page
    notice = notice.removesuffix("\n<!-- /wp:html -->\n")
    form_end = page.index("</form>")
    assert page.index('<aside class="cms-sync-notice"' + notice) > form_end
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


PART_1, PART_2 = "what-an-ecommerce-manager-does.html", "seven-skills-one-attitude.html"


def save(server: PreviewServer, path: Path, text: str) -> None:
    """Write ``path`` and wait for the preview to rebuild."""
    version = server.preview.version
    path.write_text(text, encoding="utf-8")
    wait_for_version(server, version)


def test_a_broken_article_shows_its_errors_and_every_other_page_renders(served):
    server, root = served
    article = root / "articles" / "part-2.md"
    good = article.read_text("utf-8")
    save(server, article, good.replace("title: Seven skills & one attitude", "title: [broken"))
    # Its page, where it was (its slug came from the title it has lost): the finding, the
    # offending line marked, the reload script.
    status, page = fetch(server.url + PART_2)
    assert status == 500
    assert re.search(r"<code>articles/part-2\.md:\d+: invalid YAML in front matter: ", page)
    [source] = re.findall(r'<pre class="preview-source">(.*?)</pre>', page, re.S)
    assert "title: <mark>[</mark>broken" in source  # the bracket that is never closed
    assert '<span style="visibility: hidden">title: </span>^' in source  # the caret under it
    assert '<script src="/__preview/reload.js"></script>' in page
    # The others render; part 1's link to part 2 leads to that page, not to a 404.
    status, part_1 = fetch(server.url + PART_1)
    assert (
        status == 200 and '<h1 class="entry-title">What an e-commerce manager does</h1>' in part_1
    )
    assert f'href="{PART_2}"' in part_1
    assert fetch(server.url + "hiring-one.html")[0] == 200
    assert fetch(server.url + "notice-en.html")[0] == 200
    status, index = fetch(server.url)
    assert status == 200
    assert re.search(rf'<li class="status-broken"><a href="{PART_2}">part-2.md</a>', index)
    assert "Broken: fix and save" in index and "Hiring one" in index
    save(server, article, good.replace("Back to", "Return to"))
    status, page = fetch(server.url + PART_2)
    assert status == 200 and "Return to" in page
    assert "status-broken" not in fetch(server.url)[1]


def test_a_broken_article_is_at_its_slug_or_its_file_name(tmp_path):
    config = copy_project(FIXTURES / "series", tmp_path / "project")
    articles = config.parent / "articles"
    part_2 = articles / "part-2.md"
    part_2.write_text(part_2.read_text("utf-8").replace("title: Seven", "title: [Seven"))
    part_3 = articles / "part-3.md"
    part_3.write_text(part_3.read_text("utf-8").replace("status: draft", "status: drafty"))
    with PreviewServer(config) as server:
        # No slug to read, and no earlier page: the file's name.
        assert fetch(server.url + "part-2.html")[0] == 500
        assert fetch(server.url + PART_2)[0] == 404
        # A slug that can be read: its page, with the value that is wrong.
        status, page = fetch(server.url + "hiring-one.html")
        assert status == 500 and "<code>articles/part-3.md:4: status: " in page
        assert "<mark>status: drafty</mark>" in page


def test_the_error_page_escapes_the_source(served):
    server, root = served
    article = root / "articles" / "part-3.md"
    text = article.read_text("utf-8").replace("status: draft", "status: <b>&draft</b>")
    save(server, article, text)
    status, page = fetch(server.url + "hiring-one.html")
    assert status == 500
    assert "<mark>status: &lt;b&gt;&amp;draft&lt;/b&gt;</mark>" in page
    assert "<b>&draft" not in page


def test_a_broken_notice_shows_where_the_notice_would_be(served):
    server, root = served
    notice = root / "articles" / "notice.en.md"
    good = notice.read_text("utf-8")
    save(server, notice, good.replace("controller: Jane Doe", "controller: Jane: Doe"))
    status, page = fetch(server.url + PART_2)
    assert status == 500  # a page that shows an error says so
    content, comments = page.split('<section id="comments"')
    assert '<h1 class="entry-title">Seven skills &amp; one attitude</h1>' in content
    assert "preview-error" not in content
    assert comments.index("The privacy notice has errors") > comments.index("</form>")
    assert "<code>articles/notice.en.md:4: " in comments
    status, page = fetch(server.url + "notice-en.html")
    assert status == 500 and "<code>articles/notice.en.md:4: " in page
    # Comments closed: no notice, nothing broken.
    status, page = fetch(server.url + "hiring-one.html")
    assert status == 200 and "preview-error" not in page
    save(server, notice, good)
    status, page = fetch(server.url + PART_2)
    assert status == 200 and '<aside class="cms-sync-notice"' in page


def test_a_template_error_shows_on_each_page_that_uses_it(served):
    server, root = served
    template = Path(server.preview.config.templates_dir) / "page.html"
    assert template.is_relative_to(root), "the project copy has its own templates"
    good = template.read_text("utf-8")
    save(server, template, good.replace("{% endblock %}", "{% endblok %}", 1))
    for name in (PART_1, PART_2, "hiring-one.html"):
        status, page = fetch(server.url + name)
        assert status == 500, name
        assert "<code>templates/page.html:2: template error: Encountered unknown tag" in page
        assert "<mark>{% block title %}{{ article.title }}{% endblok %}</mark>" in page
        assert '<script src="/__preview/reload.js"></script>' in page
    # The index and the notice page do not use page.html.
    assert fetch(server.url)[0] == 200
    assert fetch(server.url + "notice-en.html")[0] == 200
    save(server, template, good)
    assert fetch(server.url + PART_1)[0] == 200


def test_an_article_with_an_error_across_files_gets_its_page_at_its_slug(served):
    server, root = served
    article = root / "articles" / "part-2.md"
    save(server, article, article.read_text("utf-8").replace("funnel.png", "funel.png"))
    status, page = fetch(server.url + PART_2)
    assert status == 500 and "image &#x27;images/funel.png&#x27; does not exist" in page
    status, part_1 = fetch(server.url + PART_1)
    assert status == 200 and f'href="{PART_2}"' in part_1


def test_a_broken_config_is_shown_on_every_page_until_fixed(served):
    server, root = served
    config = root / "cms-sync.toml"
    good = config.read_text("utf-8")
    save(server, config, good + "default_lang = [\n")
    for name in ("", PART_1, "nope.html"):
        status, page = fetch(server.url + name)
        assert status == 500 and "cms-sync.toml" in page and "reload.js" in page
    save(server, config, good)
    assert fetch(server.url + PART_1)[0] == 200


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
