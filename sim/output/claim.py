"""A run or sweep claims its output folder before any work, so two commands never write into one folder.

Before, the folder name was a timestamp to the second (``results/runs/2026-12-06_14-10-00``) and nothing checked
who else used it: two runs started in the same second mixed their files under one "complete" manifest, and a
second sweep's job folders replaced the first's.  Now:

- a folder named by the timestamp pattern is made new (``os.mkdir``, which only one process can win); when another
  run holds that name, the next free one is taken: ``<name>-2``, ``<name>-3``, ...;
- a folder the user named may already exist (an earlier run to keep with ``run.resume`` or replace with
  ``run.overwrite``: ``sim.output.folders.take_over`` decides, under this claim), and is claimed by an exclusive
  lock on ``.fms-sim-claim`` inside it:
  a second command on the same folder while the first still runs is refused, naming the first.  The lock belongs to
  the process: the operating system drops it when the process ends, however it ends, so a killed run leaves no
  stale claim (worker processes it forks close their copy at once, so an orphaned worker cannot hold it).  On a
  file system without locks (some Lustre and NFS mounts) the command says so in one line and goes on unprotected.

:class:`Claim` is a context manager; leaving it releases the lock and removes a claimed new folder that stayed
empty (a command that failed before writing anything leaves no folder behind).
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Optional

CLAIM_FILE = ".fms-sim-claim"
UNSUPPORTED = (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP)  # the file system has no flock
_HELD: set[int] = set()  # this process's claim descriptors: closed in every child it forks
_UNLOCKED = -2  # the descriptor of a claim on a file system without locks


def _close_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class ClaimError(Exception):
    """Another command holds the folder."""


class Claim:
    """This process's claim on ``path``: an exclusive lock on its claim file, held until :meth:`release`."""

    def __init__(self, path: Path, fd: int, made: bool) -> None:
        self.path, self._fd, self.made, self.held = path, fd, made, True

    def release(self) -> None:
        """Drop the lock and the claim file; remove the folder if this claim made it and nothing was written."""
        if not self.held:
            return
        self.held = False
        try:
            (self.path / CLAIM_FILE).unlink(missing_ok=True)
        finally:
            _HELD.discard(self._fd)
            if self._fd != _UNLOCKED:
                os.close(self._fd)
        if self.made:
            try:
                self.path.rmdir()  # only if empty
            except OSError:
                pass

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, kind: Optional[type[BaseException]], value: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.release()


def _holder(path: Path) -> str:
    """Who holds the claim on ``path``, as its claim file says."""
    try:
        info = json.loads((path / CLAIM_FILE).read_text())
        return f"process {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"



def _lock(path: Path) -> Optional[int]:
    """An exclusive lock on ``path``'s claim file, as an open descriptor, or None if another process holds it."""
    file = path / CLAIM_FILE
    while True:
        fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            if e.errno in UNSUPPORTED:
                print(f"fms-sim: {path}: this file system cannot lock files ({e.strerror}); the folder is not "
                      "protected from a second command writing it at the same time", file=sys.stderr)
                return _UNLOCKED
            raise
        try:  # the holder may have released (and removed) the file between open and lock: lock the one on disk
            same = os.stat(file).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    os.ftruncate(fd, 0)
    os.write(fd, (json.dumps(info) + "\n").encode())
    _HELD.add(fd)
    return fd


def claim(path: Path, *, timestamped: bool, key: str = "the output folder") -> Claim:
    """Claim ``path`` (or, if ``timestamped`` and another run has it, the next free ``<path>-N``).

    ``key`` names the setting in the message when a folder the user chose is held by another command
    (:class:`ClaimError`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if timestamped:
        for n in range(1, 10_000):
            candidate = path if n == 1 else path.with_name(f"{path.name}-{n}")
            try:
                os.mkdir(candidate)
            except FileExistsError:
                continue
            fd = _lock(candidate)
            if fd is not None:
                return Claim(candidate, fd, made=True)
        raise ClaimError(f"{key}={path}: no free folder name beside it")  # pragma: no cover (10,000 runs in 1 s)
    made = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    fd = _lock(path)
    if fd is None:
        raise ClaimError(f"{key}={path} is in use by {_holder(path)}; allowed: a folder no other command is "
                         "writing (wait for it to finish, or pass a new folder)")
    return Claim(path, fd, made=made)
