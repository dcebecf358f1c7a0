"""site_fields.renamed_terms: a term an article names that the site holds at its slug
under another name was renamed in wp-admin; one error line per article and key."""

from __future__ import annotations

from pathlib import Path

from cms_sync.articles import Article
from cms_sync.site_fields import renamed_terms

SITE = "https://blog.example"


def article(**fields: object) -> Article:
    base: dict = {
        "path": Path("articles/a.md"), "title": "A", "slug": "a", "status": "publish",
        "lang": "en", "body": "", "body_line": 5, "key_lines": {"categories": 3},
    }  # fmt: skip
    return Article(**{**base, **fields})


def test_a_renamed_category_names_the_new_name():
    [found] = renamed_terms([article(categories=("News",))], [("categories", "News")],
                            {"categories": {"news": "Newsroom"}}, SITE)  # fmt: skip
    assert (found.path, found.line, found.severity) == (Path("articles/a.md"), 3, "error")
    assert found.message == (
        f"categories: 'News' was renamed to 'Newsroom' on {SITE} (the term with slug 'news'); "
        "write 'Newsroom' in the file, or rename it back to 'News' in wp-admin (publishing "
        "'News' would create a second term)"
    )


def test_renamed_to_the_name_of_another_term_says_two_terms_share_it():
    slugs = {"categories": {"sports": "News", "news": "News"}}
    [found] = renamed_terms([article(categories=("Sports",))], [("categories", "Sports")],
                            slugs, SITE)  # fmt: skip
    assert found.message == (
        f"categories: 'Sports' was renamed to 'News' on {SITE} (the term with slug 'sports'), "
        "and the term with slug 'news' is named 'News' too: two terms share that name; rename "
        "one of them in wp-admin (or 'sports' back to 'Sports'), then publish again"
    )


def test_a_new_term_whose_slug_nobody_holds_is_no_rename():
    assert renamed_terms([article(categories=("Fresh",))], [("categories", "Fresh")],
                         {"categories": {"news": "News"}}, SITE) == []  # fmt: skip
