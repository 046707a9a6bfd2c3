"""A few query workers shared by the HTTP threads, each answering one query at a time under the timeout.

The pool also watches OUT: ``kg build`` swaps in a new directory, so a worker that opened the old store would
go on answering from deleted files. Each request stats OUT first; a new build (another inode or manifest)
retires the old workers, and a missing OUT is refused with 503 instead of served from memory.
"""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from kg.graph.store import MANIFEST, STORE_DIR
from kg.serve.worker import Answer, Request, Worker, WorkerGone


@dataclass(frozen=True)
class Limits:
    """What one query may take: seconds of work, rows (or triples), bytes of response, seconds queued."""

    timeout: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 64 * 2**20
    queue_wait: float = 10.0


def build_tag(out: Path) -> tuple[int, int, int] | None:
    """Which build OUT holds now (its store's inode, its manifest's mtime), or None when there is none."""
    try:
        store, manifest = os.stat(out / STORE_DIR), os.stat(out / MANIFEST)
    except OSError:
        return None
    return store.st_dev, store.st_ino, manifest.st_mtime_ns


class Pool:
    """``size`` workers over OUT's store; ``run`` answers a request or says why not (busy, timeout, no OUT)."""

    def __init__(self, out: Path, size: int = 2, limits: Limits | None = None) -> None:
        self.out, self.size, self.limits = Path(out), max(1, size), limits or Limits()
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._all: set[Worker] = set()

    def start(self) -> None:
        """Start the workers now, so the first queries do not wait for a store to open."""
        tag = build_tag(self.out)
        for _ in range(self.size):
            self._idle.put(self._spawn(tag))

    def run(self, request: Request) -> Answer:
        tag = build_tag(self.out)
        if tag is None:
            return Answer.error(503, f"{self.out} no longer holds a kg build (deleted or being replaced); "
                                     f"rebuild it with `kg build ... -o {self.out}`")
        if not self._slots.acquire(timeout=self.limits.queue_wait):
            return Answer.error(503, f"all {self.size} query workers are busy; try again shortly",
                                ("Retry-After", "5"))
        try:
            worker = self._take(tag)
            try:
                answer = worker.ask(request, self.limits.timeout)
            except WorkerGone as exc:
                self._forget(worker)
                return Answer.error(503, str(exc))
            self._idle.put(worker)
            return answer
        finally:
            self._slots.release()

    def pids(self) -> set[int]:
        """The process ids of the live workers (tests check a stopped query left none running)."""
        with self._lock:
            return {w.pid for w in self._all if w.pid is not None and w.alive()}

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()

    def _take(self, tag: object) -> Worker:
        """An idle worker that opened this build, retiring any that opened an older one."""
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return self._spawn(tag)
            if worker.tag == tag and worker.alive():
                return worker
            self._forget(worker)

    def _spawn(self, tag: object) -> Worker:
        worker = Worker(self.out / STORE_DIR, tag)
        with self._lock:
            self._all.add(worker)
        return worker

    def _forget(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
