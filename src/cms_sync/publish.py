"""The one entry point of a publish or plan run, used by the CLI, the tests and the benchmark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cms_sync.outcome import Report
from cms_sync.project import Project
from cms_sync.site import Site
from cms_sync.sync import Sync
from cms_sync.wordpress import Client

Progress = Callable[[str, int, int], None]


def publish(
    project: Project,
    client: Client,
    *,
    dry_run: bool = False,
    force: bool = False,
    prune: bool = False,
    only: list[Path] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Make the site behind ``client`` match ``project`` (or, with ``dry_run``, say how).

    ``only`` limits the run to those article files (no orphans are reported then);
    ``progress(label, done, total)`` is told as uploads and batches of writes land.
    """
    sync = Sync(
        project,
        Site(client),
        dry_run=dry_run,
        force=force,
        prune=prune,
        only=only,
        progress=progress,
    )
    return sync.run()
