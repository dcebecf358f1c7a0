"""Findings: the problems `check` reports, each tied to a file and line."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file. ``line`` is 1-based; 0 means the file as a whole.

    A syntax error also carries the offending ``line_text`` and the 1-based ``column`` of
    the problem in it, so that it can be shown with a caret under the spot."""

    path: Path
    line: int
    severity: Severity
    message: str
    line_text: str | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def display_path(self, base: Path | None = None) -> str:
        base = (base or Path.cwd()).resolve()
        # The path as found first: a symlink is named by where it is, not where it points.
        for path in (Path(os.path.abspath(self.path)), self.path.resolve()):
            if path.is_relative_to(base):
                return str(path.relative_to(base))
        return str(self.path)

    def format(self, base: Path | None = None) -> str:
        """``path:line: severity: message``, the form editors and CI logs link to."""
        return f"{self.display_path(base)}:{self.line}: {self.severity}: {self.message}"

    def excerpt(self) -> list[str]:
        """The offending source line and a caret under the problem, or nothing when the
        finding carries no source line."""
        if self.line_text is None or self.column is None:
            return []
        return caret_lines(self.line_text, self.column)

    def as_dict(self, base: Path | None = None) -> dict[str, object]:
        found: dict[str, object] = {
            "path": self.display_path(base),
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }
        if self.line_text is not None:
            found["line_text"] = self.line_text
            found["column"] = self.column
        return found


def caret_lines(text: str, column: int, indent: str = "    ") -> list[str]:
    """``text`` and a line with ``^`` under its 1-based ``column``, both indented.

    The caret is placed by display width: a combining sign (a Bengali vowel sign) takes
    no cell of its own and a wide character two, as a terminal draws them."""
    text = text.rstrip("\r\n")
    width = sum(_cells(char) for char in text[: max(column - 1, 0)])
    return [f"{indent}{text.replace(chr(9), ' ' * 4)}", f"{indent}{' ' * width}^"]


def _cells(char: str) -> int:
    if char == "\t":
        return 4
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    """True when a finding stops publishing (with ``strict``, warnings do too)."""
    return any(f.severity == "error" or strict for f in findings)
