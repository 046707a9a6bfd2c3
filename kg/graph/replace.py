"""Crash-safe, locked replacement of OUT: one writer at a time, leftovers recovered, a swap with no gap.

The new graph is built in ``.OUT.tmp-PID`` beside OUT and exchanged with OUT by ``renameat2(RENAME_EXCHANGE)``,
one atomic step, so a process killed at any instant leaves OUT as the old graph or the new one, never missing
and never half-written. OUT stays a plain directory (not a symlink to versioned folders): users copy, move
and delete it as they always did, and ``kg query OUT`` needs no link resolution. Where the filesystem or kernel
has no exchange (non-Linux, some network filesystems) the fallback is two renames through ``.OUT.old-PID``;
a kill between them leaves no OUT for a moment, and the next writer puts the old graph back.

``.OUT.lock`` is held with ``flock`` for a whole build, so a second build into the same OUT is refused at
once, before its pipeline runs; the kernel drops the lock of a killed process, so a stale lock never blocks.
Holding the lock proves no other writer is alive, so every ``.OUT.tmp-*``/``.OUT.old-*`` left is a killed
build's and is reclaimed (PIDs are reused, so their liveness would prove nothing).
"""
from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from types import TracebackType

from kg.errors import GraphError

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 1 << 1  # linux/fs.h
_AT_FDCWD = -100
_NO_EXCHANGE = (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP)


def reached(point: str) -> None:
    """A named point of the write (``tmp``, ``nquads``, ``checked``, ``store``, ``ready``, ``exchanged``, ``moved``,
    ``replaced``); a no-op that tests/test_output_safety.py replaces to kill the process there."""


def tmp_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.tmp-{os.getpid()}"


def rejected_report(out: Path) -> Path:
    """Where a build whose graph fails SHACL writes its report, OUT being kept: beside OUT, as ``.tsv`` so a
    later build of the folder holding OUT does not read it as a review."""
    return out.parent / f"{out.name}.validation.tsv"


class OutputLock:
    """``with OutputLock(out):`` holds OUT's lock, checks OUT may be replaced and reclaims killed builds' leftovers.

    The lock file is removed on exit; a build that opened it just before checks after locking that the path still
    names the file it locked, and retries otherwise, so removing it never lets two writers in.
    """

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        self.path = self.out.parent / f".{self.out.name}.lock"
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> OutputLock:
        check_replaceable(self.out)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            fd = self._acquire()
        except OSError as exc:
            raise GraphError(f"cannot lock {self.path} ({exc.strerror}); choose a writable -o path") from None
        self._fd = fd
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            check_replaceable(self.out)  # again, now that nobody else can change it
            recover(self.out)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _acquire(self) -> int:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise GraphError(f"{self.out} is being written by another kg build (PID {holder}); wait for it "
                                 "to finish or choose another -o") from None
            except BaseException:
                os.close(fd)
                raise
            if _same_file(fd, self.path):
                return fd
            os.close(fd)  # the holder removed the file between our open and our lock

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def check_replaceable(out: Path) -> None:
    """Refuse to replace a directory kg did not write (it would be deleted by the swap)."""
    from kg.graph.store import MANIFEST

    if out.exists() and not out.is_dir():
        raise GraphError(f"{out} exists and is not a directory; choose another output path with -o")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise GraphError(f"{out} is a non-empty directory that kg did not write; choose an empty or new -o path")


def check_not_input(out: Path, inputs: list[Path]) -> None:
    """Refuse inputs inside OUT (or OUT itself): the build replaces OUT, and its reports are not reviews."""
    target = out.resolve()
    for path in inputs:
        resolved = Path(path).resolve()
        if resolved == target or target in resolved.parents:
            raise GraphError(f"input {path} is inside the output {out}, which the build replaces; "
                             "choose another -o path or move the input")


def recover(out: Path) -> None:
    """Reclaim what killed builds left beside OUT (the caller holds the lock): a ``.OUT.old-*`` with no OUT is the
    old graph, moved aside just before a kill, and goes back; every other ``.OUT.tmp-*``/``.OUT.old-*`` is removed."""
    from kg.graph.store import MANIFEST

    if not out.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-\d+")
    leftovers = sorted(p for p in out.parent.iterdir() if pattern.fullmatch(p.name))
    for path in sorted(leftovers, key=lambda p: ".old-" not in p.name):  # an old graph first, in case OUT is gone
        if ".old-" in path.name and not os.path.lexists(out) and (path / MANIFEST).is_file():
            os.rename(path, out)
            log.warning("put back %s: a build was killed while replacing it", out)
            continue
        log.warning("removing %s, left by a killed build", path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def swap(tmp: Path, out: Path) -> None:
    """Make the finished ``tmp`` OUT; the old OUT, if any, is removed once the new one is in place."""
    if not os.path.lexists(out):
        os.rename(tmp, out)
        reached("replaced")
        return
    try:
        _exchange(tmp, out)
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
        log.info("no atomic exchange on this filesystem (%s); replacing %s in two renames", exc.strerror, out)
        _two_renames(tmp, out)
        return
    reached("exchanged")
    shutil.rmtree(tmp)  # the old graph, still under the temp name, so a kill here leaves it for recover()


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux 3.15+, glibc 2.28+ exports the call)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "renameat2 is Linux-only")
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "the C library has no renameat2")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def _two_renames(tmp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    reached("moved")
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    reached("replaced")
    shutil.rmtree(old)
