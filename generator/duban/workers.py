"""Work spread over the machine's cores: forked worker processes that inherit what the parent built.

Forking is the cheap way for Python: a worker starts with the registry, the engine's states and the compiled
templates already in memory (copy-on-write), and only job numbers and small results cross the pipes.
Where forking is unavailable (Windows) or unsafe (a process running other threads: `duban serve`), or with
one core, the same jobs run one after the other in this process, with the same results.

`run` takes jobs in turn from a shared counter, in this process and in N-1 forked ones: N processes for N
cores, and one copy fewer of the memory that workers touch than with a pool of N workers and an idle parent.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

VARIABLE = "DUBAN_JOBS"  # how many processes may work at once (1: never fork)

Job = TypeVar("Job")
Result = TypeVar("Result")


def jobs() -> int:
    """DUBAN_JOBS when set to a positive number, else the cores this process may run on."""
    value = os.environ.get(VARIABLE, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork(count: int) -> bool:
    """Whether `count` workers can be forked here: more than one, a platform that forks, no other thread."""
    if count < 2 or threading.active_count() > 1:
        return False
    import multiprocessing  # only when there is work to share: importing it costs 5 ms

    return "fork" in multiprocessing.get_all_start_methods()


class WorkerError(Exception):
    """A job failed in a worker process; the message is the worker's traceback."""


def run(
    function: Callable[[Job], Result], items: Sequence[Job], workers: int, *, own: int = 0
) -> Iterator[Result]:
    """`function(item)` for every item, each result as soon as it is known (not in order): here and in
    `workers - 1` forked processes when `can_fork(workers)` (`function` may use anything this process
    holds), else here, one after the other.

    The first `own` items are done here, before this process joins the workers on the rest: jobs that read
    everything this process holds (a page listing every item) would make a worker copy all of its memory,
    while a worker that only takes jobs reading a part of it copies only the memory pages of that part.
    """
    if not can_fork(workers) or len(items) - own < 2:
        yield from map(function, items)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    counter = context.Value("i", own)
    crew = [_Worker(context, function, items, counter) for _ in range(min(workers, len(items) - own) - 1)]
    inbox = _Inbox(crew)
    try:
        for item in items[:own]:
            yield function(item)
            yield from inbox.take(block=False)
        while (index := _next(counter, len(items))) is not None:
            yield function(items[index])
            yield from inbox.take(block=False)
        yield from inbox.take(block=True)
    finally:
        for worker in crew:
            worker.stop()
        inbox.thread.join()  # gone before anything forks again (`can_fork` counts threads)


class Crew(Generic[Job, Result]):
    """`workers - 1` processes forked now, taking `items` from a shared counter while this process goes on
    with other work; `join` has this process take what is left and gives every result, as `run` does.

    A worker forked early shares with this process only what existed then: what this process builds later
    is its own, and what a worker builds is the worker's (with CPython 3.11 every memory page that either
    process writes after the fork is copied, and reading an object writes its reference count). The caller
    checks `can_fork` first, and calls `close` whatever happens.
    """

    def __init__(self, function: Callable[[Job], Result], items: Sequence[Job], workers: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.items = items
        self.counter = context.Value("i", 0)
        count = max(0, min(workers - 1, len(items)))
        self.crew = [_Worker(context, function, items, self.counter) for _ in range(count)]
        self.inbox = _Inbox(self.crew)

    def close(self) -> None:
        """Stop the workers (whatever they were doing) and the thread that read their messages."""
        for worker in self.crew:
            worker.stop()
        self.inbox.thread.join()

    def join(self, function: Callable[[Job], Result]) -> Iterator[Result]:
        """The items no worker took yet, done here by `function`, and the workers' results as they come."""
        while (index := _next(self.counter, len(self.items))) is not None:
            yield function(self.items[index])
            yield from self.inbox.take(block=False)
        yield from self.inbox.take(block=True)


def _next(counter: Any, total: int) -> int | None:
    with counter.get_lock():
        index = int(counter.value)
        if index >= total:
            return None
        counter.value = index + 1
    return index


class _Worker:
    """One forked process taking jobs from the shared counter and sending each result back."""

    def __init__(
        self, context: Any, function: Callable[[Any], Any], items: Sequence[Any], counter: Any
    ) -> None:
        self.connection, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(function, items, counter, child), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


class _Inbox:
    """The workers' messages, read by a thread as they come: a worker whose result does not fit into the
    pipe would otherwise wait until this process is done with its own job (half its time, measured)."""

    def __init__(self, crew: list[_Worker]) -> None:
        self.queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.open = len(crew)
        self.thread = threading.Thread(target=self._read, args=(crew,), daemon=True)
        self.thread.start()

    def _read(self, crew: list[_Worker]) -> None:
        from multiprocessing.connection import wait

        waiting: dict[Any, _Worker] = {worker.connection: worker for worker in crew}
        while waiting:
            for connection in wait(list(waiting)):
                message: tuple[str, Any]
                try:
                    message = waiting[connection].connection.recv()
                except EOFError:  # the worker died without a word (killed): its jobs are lost
                    code = waiting[connection].process.exitcode
                    message = ("error", f"a worker process ended unexpectedly ({code})")
                if message[0] in ("done", "error"):
                    waiting.pop(connection).connection.close()
                self.queue.put(message)

    def take(self, block: bool) -> Iterator[Any]:
        """Results received so far; with `block`, every result until all workers are done."""
        while self.open and (block or not self.queue.empty()):
            kind, value = self.queue.get()
            if kind == "done":
                self.open -= 1
            elif kind == "error":
                raise value if isinstance(value, BaseException) else WorkerError(value)
            else:
                yield value


def _work(function: Callable[[Any], Any], items: Sequence[Any], counter: Any, connection: Any) -> None:
    """In a worker: jobs until there are none left; a failure is reported, not raised into the void."""
    try:
        while (index := _next(counter, len(items))) is not None:
            connection.send(("result", function(items[index])))
        connection.send(("done", None))
    except BaseException as error:  # Ctrl-C included: the parent decides what happens next
        _send_error(connection, error)
    finally:
        connection.close()


def _send_error(connection: Any, error: BaseException) -> None:
    """The exception itself (an OSError must reach the parent as one), or its traceback as text."""
    try:
        connection.send(("error", error))
    except Exception:  # an exception that cannot be pickled
        connection.send(("error", "".join(traceback.format_exception(error))))


@contextmanager
def frozen() -> Iterator[None]:
    """Everything built so far is left out of the cycle collector's work while the block runs.

    A build holds millions of objects (the registry, the states, the views) that live until it ends: the
    collector would walk them again and again while pages are rendered (a quarter of the rendering time), and
    a forked worker whose collector touches them copies the memory pages they sit on.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # collectable again once dropped (`duban serve` builds again and again)
