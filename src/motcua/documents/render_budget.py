"""What a result template's render may spend as a whole (template_bounds.Bounded): template_bounds keeps each value
a merge field builds under MAX_MERGED, but loops inside loops build nothing large and still ran for hours
(«{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}»: 10^10 turns) or wrote gigabytes
(the same with «x» inside). A render has RENDER_SECONDS of time and writes at most MAX_OUTPUT characters beyond the
template's own text.

Time: sys.monitoring (Python 3.12) watches only the code compiled from the template: each turn of a loop (JUMP) and
each call of a macro or block (PY_START) checks the clock; the rest of the process runs untouched, in any thread (a
signal or alarm works only in the main thread), and a debugger's or coverage's trace function is left alone.
Output: the text the template writes is counted as it is written — what it yields (Environment.concat, which
reads the render's output piece by piece) and what it writes into a buffer (a macro, a «{% set %}…{% endset %}», a
«{% filter %}» or «{% call %}» block): text written inside a buffer counts once there and once where it goes."""

from __future__ import annotations

import sys
import time
import weakref

from jinja2.compiler import CodeGenerator

from .template_bounds import MAX_MERGED, Bounded, TooLarge

# A render that takes longer is refused: a real result fills in well under a second; a worker's thread must not be
# held for hours. Tests lower it.
RENDER_SECONDS = 5
# The characters a render may write beyond the template's own text (a result fills a page or two; the XML of a
# Word page with every field filled is some tens of thousands of characters).
MAX_OUTPUT = 20 * MAX_MERGED


class TooSlow(TooLarge):
    """The render ran past RENDER_SECONDS."""


class TooLong(TooLarge):
    """The render wrote past MAX_OUTPUT characters (beyond the template's own text)."""


class Budget:
    """One render's time and output, shared by every part of the Word file it fills."""

    def __init__(self):
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.allowed = MAX_OUTPUT
        self.written = 0

    def add_source(self, source: str) -> None:
        self.allowed += len(source)

    def write(self, size: int) -> None:
        self.written += size
        if self.written > self.allowed:
            raise TooLong("output")


# --- Time ----------------------------------------------------------------------------------------------------------

_MONITORING = sys.monitoring
_EVENTS = _MONITORING.events.JUMP | _MONITORING.events.PY_START
_watched: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # template code → its render's Budget


def _claim_tool_id() -> int:
    for tool in (4, 3, 5):  # 0, 1, 2 are the debugger's, coverage's and the profiler's by convention
        if _MONITORING.get_tool(tool) is None:
            _MONITORING.use_tool_id(tool, "motcua result template clock")
            return tool
    raise RuntimeError("sys.monitoring: no free tool id for the result template clock")


def _tick(code, *_offsets) -> None:
    budget = _watched.get(code)
    if budget is not None and time.monotonic() > budget.deadline:
        raise TooSlow("time")


_TOOL = _claim_tool_id()
for _event in (_MONITORING.events.JUMP, _MONITORING.events.PY_START):
    _MONITORING.register_callback(_TOOL, _event, _tick)


def watch(code, budget: Budget) -> None:
    """Check budget's clock in code compiled from a template and in every function it defines (macros, blocks)."""
    _watched[code] = budget
    _MONITORING.set_local_events(_TOOL, code, _EVENTS)
    for const in code.co_consts:
        if isinstance(const, type(code)):
            watch(const, budget)


# --- Output --------------------------------------------------------------------------------------------------------

class Buffer(list):
    """A template buffer (a macro's text, a «{% set %}» block …) that counts what is written into it."""

    __slots__ = ("budget",)

    def __init__(self, budget: Budget):
        super().__init__()
        self.budget = budget

    def append(self, part) -> None:
        self.budget.write(len(part) if isinstance(part, str) else 0)
        super().append(part)

    def extend(self, parts) -> None:
        parts = tuple(parts)
        self.budget.write(sum(len(part) for part in parts if isinstance(part, str)))
        super().extend(parts)


def concat(budget: Budget, parts) -> str:
    """Environment.concat: a buffer was counted as it was filled; a render's output is counted piece by piece."""
    if isinstance(parts, Buffer):
        return "".join(parts)
    kept = []
    for part in parts:
        budget.write(len(part) if isinstance(part, str) else 0)
        kept.append(part)
    return "".join(kept)


class CountingCodeGenerator(CodeGenerator):
    """Jinja's code generator, writing buffers as Buffer (counted) rather than plain lists."""

    def buffer(self, frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")


class BoundedRender(Bounded):
    """template_bounds.Bounded (no value past MAX_MERGED) that also bounds the render as a whole: RENDER_SECONDS,
    MAX_OUTPUT. Made for one render (its clock starts when it is made)."""

    code_generator_class = CountingCodeGenerator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = Budget()

    def _parse(self, source, name, filename):
        self.budget.add_source(source)
        return super()._parse(source, name, filename)

    def _compile(self, source, filename):
        code = super()._compile(source, filename)
        watch(code, self.budget)
        return code

    def concat(self, parts):
        return concat(self.budget, parts)

    def output_buffer(self) -> Buffer:
        return Buffer(self.budget)
