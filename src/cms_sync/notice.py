"""The comment-privacy notice: the first layer of GDPR information under a comment form.

One markdown file per language under articles/, marked ``kind: notice``. Each
first-layer heading is one front-matter field; the visible labels come from the
templates (templates/i18n/<lang>.yaml), so one structure serves every translation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cms_sync.articles import Pulled, parse_pulled, unknown_key_finding
from cms_sync.findings import Finding, Severity
from cms_sync.source import Document

# The headings in the order readers see them (AEPD's first layer).
HEADINGS = ("controller", "purpose", "legal_basis", "recipients", "storage", "rights")
REQUIRED = ("controller", "purpose", "rights")  # LOPDGDD art. 11
RECOMMENDED = ("legal_basis", "recipients")  # AEPD guidance
# EU and EEA member states (ISO 3166-1 alpha-2) plus the blocs themselves.
EEA = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO EU EEA".split()
)
_KEYS = [
    "kind", "lang", *HEADINGS, "storage_region", "transfer", "policy_url", "consent", "pulled",
]  # fmt: skip


@dataclass(frozen=True)
class Notice:
    """A privacy notice in one language."""

    path: Path
    lang: str
    fields: dict[str, str]  # heading key -> text, only the headings that are set
    policy_url: str | None
    body: str
    body_line: int
    pulled: Pulled | None = None  # the site version the file was pulled from
    consent: bool = False  # a required consent checkbox under the form (companion plugin)

    def items(self) -> list[tuple[str, str]]:
        """(heading key, text) in reading order, skipping absent headings."""
        return [(key, self.fields[key]) for key in HEADINGS if key in self.fields]


def is_notice(doc: Document) -> bool:
    return doc.meta.get("kind") == "notice"


def build_notice(doc: Document, default_lang: str) -> tuple[Notice | None, list[Finding]]:
    """Check a notice file; return the notice (if usable) and findings."""
    findings: list[Finding] = []

    def add(key: str, severity: Severity, message: str) -> None:
        findings.append(Finding(doc.path, doc.line_of(key), severity, message))

    texts: dict[str, str] = {}
    pulled: Pulled | None = None
    consent = False
    for key, value in doc.meta.items():
        key = str(key)
        if key not in _KEYS:
            findings.append(unknown_key_finding(doc, key, _KEYS))
        elif key == "consent":
            if not isinstance(value, bool):
                add(key, "error", "consent: write true or false")
            else:
                consent = value
        elif key == "pulled":
            try:
                pulled = parse_pulled(value)
            except ValueError as exc:
                add(key, "error", f"pulled: {exc}")
        elif key != "kind" and value is not None:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                add(key, "error", f"{key}: must be text")
            elif str(value).strip():
                texts[key] = str(value).strip()
    for key in REQUIRED:
        if key not in texts:
            add(
                key, "error", f"notice has no {key}; the first layer must name it (LOPDGDD art. 11)"
            )
    for key in RECOMMENDED:
        if key not in texts:
            add(key, "warning", f"notice has no {key}; the AEPD recommends it in the first layer")
    _check_storage(texts, add)
    policy = texts.get("policy_url")
    if policy is None:
        add(
            "policy_url",
            "warning",
            "notice has no policy_url; link the full privacy policy (additional information)",
        )
    elif not policy.startswith(("https://", "http://", "/")):
        add("policy_url", "error", f"policy_url '{policy}' must be an http(s) URL or a site path")
    if any(f.severity == "error" for f in findings):
        return None, findings
    notice = Notice(
        path=doc.path,
        lang=texts.get("lang", default_lang),
        fields={key: texts[key] for key in HEADINGS if key in texts},
        policy_url=policy,
        body=doc.body,
        body_line=doc.body_line,
        pulled=pulled,
        consent=consent,
    )
    if consent and "legal_basis" not in texts:
        add("consent", "warning", "consent: true, but the notice names no legal_basis")
    return notice, findings


def _check_storage(texts: dict[str, str], add: Callable[[str, Severity, str], Any]) -> None:
    if "storage" not in texts:
        add("storage", "warning", "notice has no storage; say who hosts the data and where")
        return
    region = texts.get("storage_region")
    if region is None:
        add(
            "storage",
            "warning",
            "notice has no storage_region; give the country code (or EU) where data are stored",
        )
    elif region.upper() not in EEA and "transfer" not in texts:
        add(
            "storage_region",
            "warning",
            f"data stored outside the EU/EEA ({region}) with no 'transfer' statement; "
            "say on what basis data leave the EEA",
        )


_LIST = re.compile(r'<ol class="cms-sync-notice-items">(.*?)</ol>(.*?)</aside>', re.S)
_ITEM = re.compile(r"<li>\s*<strong>(.*?):?</strong>:?\s*(.*?)\s*</li>", re.S)
_HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class NoticeHtml:
    """What a notice's HTML says, mapped back to the notice's fields."""

    fields: dict[str, str]  # heading key -> text
    policy_url: str | None
    body: str  # the HTML after the headings (the notice's markdown body)
    unmapped: list[str]  # what could not be mapped, one line each


def from_html(content: str, labels: dict[str, Any]) -> NoticeHtml:
    """Read a notice back from the HTML templates/notice.html made of it, with the labels
    of its language: the inverse of rendering it, for `cms-sync pull`."""
    found = _LIST.search(content)
    if found is None:
        return NoticeHtml({}, None, "", ["the list of headings (ol.cms-sync-notice-items) is gone"])
    names = labels.get("notice") or {}
    keys = {str(names.get(key, "")).strip(): key for key in HEADINGS}
    fields: dict[str, str] = {}
    policy: str | None = None
    unmapped = []
    for label_html, text_html in _ITEM.findall(found.group(1)):
        label = html.unescape(_TAGS.sub("", label_html)).strip()
        text = " ".join(html.unescape(_TAGS.sub("", text_html)).split())
        if label == str(names.get("more_info", "")).strip():
            href = _HREF.search(text_html)
            policy = html.unescape(href.group(1)) if href else None
        elif label in keys:
            fields[keys[label]] = text
            if _TAGS.search(text_html):
                unmapped.append(f"'{label}': markup inside the text was kept as plain text")
        else:
            unmapped.append(f"'{label}' is no heading of the notice; it was left out")
    return NoticeHtml(fields, policy, found.group(2).strip(), unmapped)
