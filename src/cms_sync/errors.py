"""Exit codes and the exception tree every command raises through.

All user-facing errors derive from :class:`CmsSyncError`, a ``click.ClickException``,
so core code raises them and Click prints one line and exits with the right code.
"""

from __future__ import annotations

import enum
from typing import IO, Any

import click


class ExitCode(enum.IntEnum):
    """Documented exit codes (see README, "Exit codes")."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CONFLICT = 3
    CHANGES = 4  # status: changes wait to be published


class CmsSyncError(click.ClickException):
    """An error the user can act on: one line, no traceback unless --debug."""

    exit_code = ExitCode.ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


class ConfigError(CmsSyncError):
    """cms-sync.toml is missing, unreadable or wrong."""


class ValidationFailed(CmsSyncError):
    """Articles or notices did not validate; the findings were already printed."""
