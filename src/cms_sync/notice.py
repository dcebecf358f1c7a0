"""The comment-privacy notice: the first layer of GDPR information under a comment form.

One markdown file per language under articles/, marked ``kind: notice``. Each
first-layer heading is one front-matter field; the visible labels come from the
templates (templates/i18n/<lang>.yaml), so one structure serves every translation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cms_sync.articles import unknown_key_finding
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
_KEYS = ["kind", "lang", *HEADINGS, "storage_region", "transfer", "policy_url"]


@dataclass(frozen=True)
class Notice:
    """A privacy notice in one language."""

    path: Path
    lang: str
    fields: dict[str, str]  # heading key -> text, only the headings that are set
    policy_url: str | None
    body: str
    body_line: int

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
    for key, value in doc.meta.items():
        key = str(key)
        if key not in _KEYS:
            findings.append(unknown_key_finding(doc, key, _KEYS))
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
    )
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
