"""One measured run of a tool: a child process, timed, its peak memory taken from the kernel,
its requests counted at the server.

The child's peak resident set comes from os.wait4 (ru_maxrss, KiB on Linux), so cms-sync,
the naive sync and the peers are measured the same way, each in a fresh interpreter.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from wp_site import Site


@dataclass
class Result:
    """What one case cost one tool; ``note`` instead of numbers when it could not run."""

    requests: int = 0
    writes: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    note: str = ""
    scale: int = 1  # measured on 1/scale of the articles and multiplied (said in the table)
    sample: int = 0  # measured on this many articles and not scaled (a cost not per article)
    cpu: float = 0.0  # the child's own CPU seconds (user + system): less noisy than wall time
    server_cpu: float = 0.0  # CPU seconds the site (php, mariadbd) spent meanwhile
    lines: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.note

    def scaled(self, factor: int) -> Result:
        return replace(
            self,
            requests=self.requests * factor,
            writes=self.writes * factor,
            seconds=self.seconds * factor,
            cpu=self.cpu * factor,
            server_cpu=self.server_cpu * factor,
            scale=factor,
        )


def run(
    site: Site,
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    ok_codes: tuple[int, ...] = (0,),
    timeout: float = 1800,
) -> Result:
    """Run command, counting the server's requests between its start and its end."""
    position, server_before = site.position(), site.server_cpu()
    out = log.open("ab") if log else subprocess.DEVNULL
    started = time.perf_counter()
    try:
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )
        _pid, status, usage = _wait(child, timeout)
    finally:
        if log and not isinstance(out, int):
            out.close()
    seconds = time.perf_counter() - started
    traffic = site.traffic_since(position)
    code = os.waitstatus_to_exitcode(status)
    note = "" if code in ok_codes else f"exit {code}" + (f" (see {log.name})" if log else "")
    return Result(
        traffic.requests,
        traffic.writes,
        seconds,
        usage.ru_maxrss / 1024,
        note,
        cpu=usage.ru_utime + usage.ru_stime,
        server_cpu=site.server_cpu() - server_before,
        lines=traffic.lines,
    )


def _wait(
    child: subprocess.Popen[bytes], timeout: float
) -> tuple[int, int, resource.struct_rusage]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
            return pid, status, usage
        if time.monotonic() > deadline:
            child.kill()  # only the child we started
            pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            return pid, status, usage
        time.sleep(0.01)
