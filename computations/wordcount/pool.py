"""A pool of forked worker processes fed through a bounded queue (the article's parallel_apply).

Generic: it applies any function to any items and knows nothing of words.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_POLL_SECONDS: Final = 0.5
_STOP: Final = None


class WorkerError(RuntimeError):
    """A worker process raised an exception or died."""


def parallel_apply(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    max_queue_size: int,
    callback: Callable[[R], object],
) -> int:
    """Apply ``func`` to every item in worker processes; pass each result to ``callback`` here.

    The workers loop over a task queue bounded to ``max_queue_size`` items. While it is
    full, the caller takes a finished result and runs ``callback`` on it, so a lazy
    ``items`` is read only as fast as the workers keep up and results are merged while the
    workers compute. Results arrive in completion order, not in input order. After the last
    item the caller collects the remaining results and sends every worker a stop marker.

    Workers are started with the ``fork`` method, requested explicitly: ``func`` is
    inherited rather than pickled, so it may be a closure or a lambda, which no other start
    method allows, and Python 3.14 makes ``forkserver`` the Linux default. Items and results are pickled
    through the queues. A worker whose parent died (the computation was killed) exits.

    Returns:
        The number of items processed.

    Raises:
        WorkerError: ``func`` raised in a worker (its traceback is in the message) or a
            worker exited abnormally.
    """
    context = multiprocessing.get_context("fork")
    tasks = context.Queue(max_queue_size)
    results = context.Queue()
    parent = os.getpid()
    processes = [
        context.Process(target=_serve, args=(func, tasks, results, parent), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    inbox = _Inbox(results=results, processes=processes, callback=callback)
    sent = 0
    finished = False
    try:
        for item in items:
            while not _offer(tasks, item):
                inbox.take()  # the queue is full of our items, so a result is on its way
            sent += 1
        while inbox.received < sent:
            inbox.take()
        for _ in processes:
            while not _offer(tasks, _STOP, timeout=_POLL_SECONDS):
                inbox.check_workers()
        for process in processes:
            process.join()
        inbox.check_workers()
        finished = True
    finally:
        if not finished:
            tasks.cancel_join_thread()  # do not block this process's exit on unread tasks
            for process in processes:
                process.terminate()
                process.join()
    return sent


def _offer(tasks: Any, item: object, *, timeout: float | None = None) -> bool:
    try:
        if timeout is None:
            tasks.put(item, block=False)
        else:
            tasks.put(item, timeout=timeout)
    except queue.Full:
        return False
    return True


@dataclass
class _Inbox:
    """The caller's end of the result queue: takes results, runs the callback, counts."""

    results: Any
    processes: list[Any]
    callback: Callable[[Any], object]
    received: int = 0

    def take(self) -> None:
        """Wait for one result and hand it to the callback, watching for dead workers."""
        while True:
            try:
                succeeded, value = self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                self.check_workers()
                if all(process.exitcode is not None for process in self.processes):
                    raise WorkerError("every worker has exited but results are missing") from None
                continue
            if not succeeded:
                raise WorkerError(f"a worker raised:\n{value}")
            self.callback(value)
            self.received += 1
            return

    def check_workers(self) -> None:
        """Raise if a worker has exited with a non-zero code."""
        for process in self.processes:
            if process.exitcode not in (None, 0):
                raise WorkerError(f"worker process {process.pid} exited with code {process.exitcode}")


def _serve(func: Callable[[Any], Any], tasks: Any, results: Any, parent: int) -> None:
    """A worker's loop: take an item, apply ``func``, put (succeeded, result or traceback)."""
    while True:
        try:
            item = tasks.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:  # orphaned: nobody will ever send the stop marker
                return
            continue
        if item is _STOP:
            return
        try:
            outcome = (True, func(item))
        except Exception:
            outcome = (False, traceback.format_exc())
        results.put(outcome)
