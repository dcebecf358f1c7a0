"""The series navigation as readers see it: which parts they can open, which are coming.

A reader of part 1 must never meet a link that answers 404, nor count parts nobody can
read. Each part is one of:

- open: published, its date not in the future: listed and linked;
- coming: scheduled (status ``future``, or ``publish`` with a future date): listed with
  "coming on DATE", not linked (WordPress answers 404 until the date);
- hidden: draft, pending, private (or not on the site at all): left out of the list and of
  the count, so part 1 of a series whose part 2 is a draft says "part 1 of 1".

The article whose page it is always shows itself (as the current part), so a draft's own
navigation, in the preview or in wp-admin, shows where it will stand. Where a part's state
comes from (the files, or the site when the site knows better) is the caller's choice: see
``DesiredItems.availability``; render and the preview decide from the files alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from cms_sync.articles import Article

State = Literal["open", "coming", "hidden"]


@dataclass(frozen=True)
class Availability:
    """What a reader can do with one part: open it, wait for ``date``, or nothing."""

    state: State
    date: dt.datetime | None = None  # when a coming part goes live (site time or aware)


HIDDEN = Availability("hidden")
OPEN = Availability("open")
Available = Callable[[Article], Availability]


def local_now() -> dt.datetime:
    """Now, aware, in this machine's time zone (render and the preview have no site)."""
    return dt.datetime.now().astimezone()


def _later(date: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``date`` (naive: site time, as WordPress reads ``date``) is after ``now``."""
    if date.tzinfo is None:
        date = date.replace(tzinfo=now.tzinfo)
    return date > now


def from_status(status: str, date: dt.datetime | None, now: dt.datetime) -> Availability:
    """A part's availability from what a file asks for (or what WordPress holds).

    WordPress publishes ``future`` with a past date at once and schedules ``publish`` with
    a future date, so both statuses are decided by the date."""
    if status not in ("publish", "future"):
        return HIDDEN
    if date is not None and _later(date, now):
        return Availability("coming", date)
    return OPEN


def from_files(now: dt.datetime | None = None) -> Available:
    """Availability as the files say (status with config's default_status, and date)."""
    moment = now or local_now()
    known: dict[Path, Availability] = {}  # each page's navigation asks of every part

    def available(article: Article) -> Availability:
        found = known.get(article.path)
        if found is None:
            found = known[article.path] = from_status(article.status, article.date, moment)
        return found

    return available


def permalink_of(template: str, slug: str) -> str | None:
    """The permalink WordPress gives the post at ``slug`` under ``template`` (a post's
    ``permalink_template``, %postname% in place of the slug; the slug percent-encoded in
    lower case, as WordPress stores it); None when the template has no %postname%."""
    if "%postname%" not in template:
        return None
    return template.replace("%postname%", quote(slug, safe="-_").lower())


def site_structure(templates: Iterable[str]) -> str:
    """Of some posts' ``permalink_template``, one that holds for a post not created yet:
    %postname% in its path and no number there (a date or an ID, which differ from post to
    post); "" when none does (plain permalinks, ?p=ID: known only once the post exists)."""
    for template in templates:
        path = urlsplit(template).path
        if "%postname%" in path and not re.search(r"/\d+(?=/)", path):
            return template
    return ""


@dataclass(frozen=True)
class Entry:
    """One line of the navigation."""

    title: str
    url: str | None  # None for the current part and for a coming one
    current: bool = False
    coming: str = ""  # the date a coming part goes live, written for the page's language


def long_date(date: dt.datetime, labels: dict[str, Any]) -> str:
    """``date`` written for readers: ``dates.format`` and ``dates.months`` of the labels,
    numbers in their ``digits``; ISO (YYYY-MM-DD) when the labels have no month names."""
    dates = labels.get("dates") or {}
    months = dates.get("months") or []
    if len(months) != 12:
        return _digits(date.strftime("%Y-%m-%d"), labels)
    text = str(dates.get("format", "{day} {month} {year}"))
    return text.format(
        day=_digits(str(date.day), labels),
        month=months[date.month - 1],
        year=_digits(str(date.year), labels),
    )


def _digits(text: str, labels: dict[str, Any]) -> str:
    """``text`` with its digits in the language's own (``digits:``), as render's filter."""
    digits = str(labels.get("digits", "0123456789"))
    return text.translate(str.maketrans("0123456789", digits))


def navigation(
    article: Article,
    parts: list[Article],
    available: Available,
    links: Callable[[Path], str | None],
    labels: dict[str, Any],
) -> dict[str, Any] | None:
    """What templates/series-nav.html shows on ``article``'s page: the series name, the
    article's position among the listed parts and their count, and one entry a part."""
    if article.series_name is None or not parts:
        return None
    entries: list[Entry] = []
    position = 0
    for part in parts:
        if part.path == article.path:
            entries.append(Entry(part.title, None, current=True))
            position = len(entries)
            continue
        found = available(part)
        if found.state == "open":
            entries.append(Entry(part.title, links(part.path)))
        elif found.state == "coming" and found.date is not None:
            entries.append(Entry(part.title, None, coming=long_date(found.date, labels)))
    return {"name": article.series_name, "position": position, "total": len(entries),
            "parts": entries}  # fmt: skip
