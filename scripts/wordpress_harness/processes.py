"""Process control: start the servers, wait for them, and stop only the processes we started.

Every server runs in a session of its own (so Ctrl-C in the caller's terminal does not reach
it, and its process group holds exactly it and its workers).  A pid alone is not proof that a
process is ours: after a reboot the number may belong to another program.  So each server
module gives a *signature*, a string its command line must contain (the work directory's
datadir or router), and nothing without it is ever signalled.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# Popen objects of the servers this Python process started: holding them keeps Python from
# warning "subprocess is still running" on garbage collection, and lets terminate() reap them
# (a killed but unreaped child would otherwise look alive as a zombie).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def tail(path: Path, lines: int = 20) -> str:
    """Last lines of a log, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def failure(message: str, log: Path | None = None) -> RuntimeError:
    """A RuntimeError carrying the tail of the log that explains it."""
    if log is not None:
        message += f"\n--- last lines of {log} ---\n{tail(log)}"
    return RuntimeError(message)


def find_program(*names: str) -> str | None:
    """Absolute path of the first program found (mariadbd lives in /usr/sbin, often off PATH)."""
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
        if found:
            return found
    return None


def program(*names: str) -> str:
    """Like find_program(), but a missing program is an error that says what to install."""
    found = find_program(*names)
    if found is None:
        raise RuntimeError(
            f"none of {', '.join(names)} found; install the Debian packages first "
            "(wordpress php-cli php-mysql mariadb-server php-xml php-mbstring)"
        )
    return found


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1 (tiny race until php binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server in its own session, so it outlives the caller's terminal (Ctrl-C)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc


def run(cmd: list[str], log: Path, what: str, env: dict[str, str] | None = None) -> str:
    """Run a short command; return its stdout, append stderr to log, raise with context."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    with log.open("a") as out:
        out.write(f"$ {shlex.join(cmd)}\n{result.stderr}")
    if result.returncode != 0:
        raise failure(f"{what} failed (exit {result.returncode}): {result.stdout[-2000:]}", log)
    return result.stdout


def wait_for(
    connect: Callable[[], None], proc: subprocess.Popen[bytes], what: str, log: Path
) -> None:
    """Poll connect() until it stops raising OSError; fail fast if the server died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            _abandon(proc)
            raise failure(f"{what} exited with code {proc.returncode} while starting", log)
        try:
            connect()
            return
        except OSError:
            if time.monotonic() > deadline:
                _abandon(proc)
                message = f"{what} did not accept connections within {STARTUP_TIMEOUT:.0f} s"
                raise failure(message, log) from None
            time.sleep(0.05)


def _abandon(proc: subprocess.Popen[bytes]) -> None:
    """Kill and reap a server that failed to start (its fresh process group is all ours)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    _CHILDREN.pop(proc.pid, None)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of pid from /proc, or None when it no longer exists."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def our_processes(pid: int, signature: str) -> list[int]:
    """The live processes of the server started as pid: pid itself plus what it forked
    (php -S workers, which outlive a terminated master).  start_new_session made pid the leader
    of its own process group; the signature guards against a reused pid.  Zombies count as
    gone."""
    child = _CHILDREN.get(pid)
    if child is not None:
        child.poll()  # reap our own exited child so it does not linger as a zombie
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat and stat[1] == pid and stat[0] not in {"Z", "X"}:
            members.append(int(entry.name))
    return [member for member in members if signature in _cmdline(member)]


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # it exited on its own meanwhile
            os.kill(pid, signum)


def _wait_gone(pid: int, signature: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while our_processes(pid, signature):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, signature: str) -> str:
    """SIGTERM the server and its workers, wait up to STOP_TIMEOUT s, then SIGKILL.
    Returns "stopped", "killed" or "not running"."""
    targets = our_processes(pid, signature)
    if not targets:
        _CHILDREN.pop(pid, None)
        return "not running"
    _signal_all(targets, signal.SIGTERM)
    outcome = "stopped"
    if not _wait_gone(pid, signature, STOP_TIMEOUT):
        _signal_all(our_processes(pid, signature), signal.SIGKILL)
        _wait_gone(pid, signature, 5.0)
        outcome = "killed"
    child = _CHILDREN.pop(pid, None)
    if child is not None:  # reap it: no zombie, no "subprocess is still running" warning
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    return outcome
