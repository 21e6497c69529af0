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
its clock or the parent's, or by its CPU limit (SIGXCPU; SIGKILL once it had used the CPU seconds of its limit),
raises TooSlow here; one that ran out of memory — MemoryError, killed (SIGKILL) before it had used its CPU seconds:
the kernel's OOM killer, or died otherwise without an answer — raises MemoryError. Without fork (not Linux) the render runs in the caller's process, bounded as before."""

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
    answer, used = None, None
    try:
        answer = _answer(reader, time.monotonic() + seconds + MARGIN_SECONDS)
        if answer is None:  # it died: how much CPU it had used tells its CPU limit from the OOM killer
            used = _cpu_used(child.pid)
    finally:
        reader.close()
        code = _end(child, now=answer is None or answer is _LATE)
    if answer is _LATE or (answer is None and _out_of_time(code, used, math.ceil(seconds) + 2)):
        raise TooSlow("child")  # ended by the parent at the deadline, or by its CPU limit (soft, then hard)
    if answer is None or answer[0] == "memory":
        raise MemoryError("child")  # killed short of its CPU limit (OOM killer), or C code failing an allocation
    if answer[0] == "refused":
        raise ValidationFailed(answer[1], answer[2], status=answer[3])
    return answer[1]


def _out_of_time(code: int | None, used: float | None, cpu_seconds: int) -> bool:
    """Whether a child that died without an answer was ended by its CPU limit: SIGXCPU at the soft limit, SIGKILL at
    the hard one (a second later) — a SIGKILL before it had used the soft limit's seconds came from elsewhere: the
    kernel's OOM killer, the memory it took. Its CPU time unknown: a SIGKILL counts as the limit, as it always did."""
    if code == -signal.SIGXCPU:
        return True
    return code == -signal.SIGKILL and (used is None or used >= cpu_seconds)


def _cpu_used(pid: int) -> float | None:
    """CPU seconds (user + system) the child `pid` used, read once it has ended and before it is reaped (waitid
    WNOWAIT leaves it a zombie, its /proc entry kept); None where that cannot be read (not ended within
    MARGIN_SECONDS, or reaped meanwhile by another thread starting a child: multiprocessing's cleanup)."""
    deadline = time.monotonic() + MARGIN_SECONDS
    try:
        while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.005)
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


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
