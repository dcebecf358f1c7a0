"""Findings: the problems `check` reports, each tied to a file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file. ``line`` is 1-based; 0 means the file as a whole."""

    path: Path
    line: int
    severity: Severity
    message: str

    def display_path(self, base: Path | None = None) -> str:
        base = base or Path.cwd()
        try:
            return str(self.path.resolve().relative_to(base.resolve()))
        except ValueError:
            return str(self.path)

    def format(self, base: Path | None = None) -> str:
        """``path:line: severity: message``, the form editors and CI logs link to."""
        return f"{self.display_path(base)}:{self.line}: {self.severity}: {self.message}"

    def as_dict(self, base: Path | None = None) -> dict[str, object]:
        return {
            "path": self.display_path(base),
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    """True when a finding stops publishing (with ``strict``, warnings do too)."""
    return any(f.severity == "error" or strict for f in findings)
