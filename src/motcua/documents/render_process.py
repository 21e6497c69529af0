"""The last line of defence around a result template's render (result_drafts._render): the render runs in a child
process forked for it, under the operating system's limits, so that work no in-process bound sees — C code running
for minutes on values the sandbox let through («{{ [d, d] == [d2, d2] }}»: two lists of lists built apart, equal,
compared item by item at every level: 2^n comparisons in one call) or memory no count foresaw — ends with the child,
never holding the worker. Every in-process bound (template_bounds, render_budget, text_size) still runs first, in the
child, and its refusal comes back with its own code and message.

The child is forked (Linux): it has docxtpl and the sandbox already imported and the template and its context (plain
data: texts, numbers, lists, dicts) in memory; it renders bytes from bytes and touches neither the database nor
Django's connections; it ends with os._exit (multiprocessing's fork start), so no object of the parent is closed or
flushed there; objects alive at the fork are never collected in it (gc.freeze), so a connection the parent dropped
is not closed from the child either. Its limits: RLIMIT_CPU of RENDER_SECONDS + 2 seconds of CPU (then SIGXCPU, one
second later SIGKILL) and RLIMIT_AS of RENDER_MEMORY above what it had mapped at the fork. The parent waits
RENDER_SECONDS + MARGIN_SECONDS at most for the answer, then ends it (SIGTERM, then SIGKILL). A child stopped by
its clock or the parent's raises TooSlow here; one that ran out of memory (MemoryError, or died otherwise without an
answer) raises MemoryError. Without fork (not Linux) the render runs in the caller's process, bounded as before."""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time

from motcua.core.errors import ValidationFailed

from . import render_budget
from .render_budget import TooSlow

# What the child may map beyond what it had at the fork: a demo template's render adds under 30 MiB; the in-process
# bounds keep a render to some tens of megabytes. Tests lower it.
RENDER_MEMORY = 1024 * 2**20
# The child's own clock (render_budget) stops a slow render at RENDER_SECONDS; the fork, the answer's transfer and a
# busy machine get this much more before the parent ends it.
MARGIN_SECONDS = 1.0
# How long a child told to end (SIGTERM) has before it is killed (SIGKILL).
TERMINATE_GRACE = 0.2

FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
_LATE = object()  # no answer by the deadline
_fork_lock = threading.Lock()  # gc.freeze/unfreeze around one fork at a time


def _mapped() -> int:
    """The bytes this process has mapped (its address space, what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(writer, cpu_seconds: int, func, args) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):  # not the handlers of a worker or a server it was forked from
        signal.signal(signum, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    limit = _mapped() + RENDER_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        answer = ("done", func(*args))
    except ValidationFailed as exc:
        answer = ("refused", exc.code, exc.message, exc.status)
    except MemoryError:
        answer = ("memory",)
    writer.send(answer)


def run(func, *args):
    """func(*args) in a forked child under RLIMIT_CPU and RLIMIT_AS (in this process where there is no fork): its
    value, or the ValidationFailed it raised; TooSlow when it ran past its time, MemoryError past its memory."""
    if not FORK:
        return func(*args)
    seconds = render_budget.RENDER_SECONDS
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(writer, math.ceil(seconds) + 2, func, args))
    with _fork_lock:
        gc.freeze()  # the child collects none of the parent's objects (a dropped connection's close)
        try:
            child.start()
        finally:
            gc.unfreeze()
    writer.close()
    answer = None
    try:
        answer = _answer(reader, time.monotonic() + seconds + MARGIN_SECONDS)
    finally:
        reader.close()
        code = _end(child, now=answer is None or answer is _LATE)
    if answer is _LATE or (answer is None and code in (-signal.SIGXCPU, -signal.SIGKILL)):
        raise TooSlow("child")  # ended by the parent at the deadline, or by its CPU limit (soft, then hard)
    if answer is None or answer[0] == "memory":
        raise MemoryError("child")  # or died without an answer: C code failing an allocation under RLIMIT_AS
    if answer[0] == "refused":
        raise ValidationFailed(answer[1], answer[2], status=answer[3])
    return answer[1]


def _answer(reader, deadline: float):
    """The child's answer; None when it died without one, _LATE when the deadline came first."""
    if not reader.poll(max(deadline - time.monotonic(), 0)):
        return _LATE
    try:
        return reader.recv()
    except (EOFError, OSError):
        return None


def _end(child, *, now: bool = False) -> int | None:
    """Make sure the child has ended (it answered, died, or is ended now); its exit code."""
    if not now:
        child.join(MARGIN_SECONDS)  # it answered: it is ending
    if child.is_alive():
        child.terminate()
        child.join(TERMINATE_GRACE)
    if child.is_alive():
        child.kill()
    child.join()
    code = child.exitcode
    child.close()
    return code
