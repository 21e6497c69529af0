"""What a result template's render may spend as a whole (template_bounds.Bounded): template_bounds keeps each value
a merge field builds under MAX_MERGED, but loops inside loops build nothing large and still ran for hours
(«{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}»: 10^10 turns) or wrote gigabytes
(the same with «x» inside), and many values each under MAX_MERGED added up to gigabytes
(«{{ range(99999)|map('center', 99999)|list }}»: 99.999 texts of 99.999 characters). A render has RENDER_SECONDS of
time, writes at most MAX_OUTPUT characters beyond the template's own text and builds at most MAX_BUILT in all.

Time: sys.monitoring (Python 3.12) watches only the code compiled from the template: each turn of a loop (JUMP) and
each call of a macro or block (PY_START) checks the clock; the rest of the process runs untouched, in any thread (a
signal or alarm works only in the main thread), and a debugger's or coverage's trace function is left alone.
Output: the text the template writes is counted as it is written — what it yields (Environment.concat, which
reads the render's output piece by piece) and what it writes into a buffer (a macro, a «{% set %}…{% endset %}», a
«{% filter %}» or «{% call %}» block): text written inside a buffer counts once there and once where it goes.
Built: every value the sandbox builds (Bounded.built: arithmetic, formatting, a text's methods, every filter, every
call, and here «~» too, each operand measured by Bounded.textable before it is turned into text) is counted once,
when built, by built_size: a text its characters, a number its digits, a list, tuple, set or dict its items and
the characters of the texts among them (what writing it out would cost: «[x] * 99999» is 99.999 times x). A lazy
«map»/«select» builds nothing itself: what it yields is built by the filter or call it runs, counted there."""

from __future__ import annotations

import sys
import time
import weakref
from collections.abc import Mapping

from jinja2.compiler import CodeGenerator

from .template_bounds import MAX_MERGED, Bounded, TooLarge

# A render that takes longer is refused: a real result fills in well under a second; a worker's thread must not be
# held for hours. Tests lower it.
RENDER_SECONDS = 5
# The characters a render may write beyond the template's own text (a result fills a page or two; the XML of a
# Word page with every field filled is some tens of thousands of characters).
MAX_OUTPUT = 20 * MAX_MERGED
# The characters (digits, items) a render may build in all, kept or not: five times what it may write, room for
# every value it writes to be built a few times over (a text made with «~» or «replace», then «upper» …); a
# quadratic «{% set ns.s = ns.s ~ row %}» over 300 rows of 100 characters builds 4.500.000. At most some tens of
# megabytes of the worker's memory and a fraction of a second of its CPU.
MAX_BUILT = 100 * MAX_MERGED


class TooSlow(TooLarge):
    """The render ran past RENDER_SECONDS."""


class TooLong(TooLarge):
    """The render wrote past MAX_OUTPUT characters (beyond the template's own text)."""


class TooMuch(TooLarge):
    """The render built past MAX_BUILT characters (digits, items) in all."""


def built_size(value) -> int:
    """What a built value counts towards MAX_BUILT: read once, when it is built (a list's items, not deeper)."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() * 30103 // 100000 + 1  # its digits
    if isinstance(value, Mapping):
        parts = (value.keys(), value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        parts = (value,)
    else:
        return 0  # a generator, a range, a float …: built lazily or small
    return sum(len(part) + sum(len(item) for item in part if isinstance(item, str | bytes)) for part in parts)


class Budget:
    """One render's time, output and values built, shared by every part of the Word file it fills."""

    def __init__(self):
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.allowed = MAX_OUTPUT
        self.written = 0
        self.built = 0

    def build(self, value) -> None:
        self.built += built_size(value)
        if self.built > MAX_BUILT:
            raise TooMuch("built")

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
    """Jinja's code generator, writing buffers as Buffer (counted) rather than plain lists, measuring each operand
    of «~» before it is turned into text and passing what «~» builds to Bounded.built."""

    def buffer(self, frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.built(")
        self._concat(node, frame)
        self.write(', "~")')

    def _concat(self, node, frame) -> None:
        """jinja's visit_Concat, each operand passed to Bounded.textable before str() turns it into text; never
        joined when the template is compiled, where no check looks («('x'|center(99999)|list) ~ ''» is a constant)."""
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"{join}((")
        for arg in node.nodes:
            self.write("environment.textable(")
            self.visit(arg, frame)
            self.write("), ")
        self.write("))")


class BoundedRender(Bounded):
    """template_bounds.Bounded (no value past MAX_MERGED) that also bounds the render as a whole: RENDER_SECONDS,
    MAX_OUTPUT, MAX_BUILT. Made for one render (its clock starts when it is made)."""

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

    def built(self, value, what: str):
        super().built(value, what)
        self.budget.build(value)
        return value

    def concat(self, parts):
        return concat(self.budget, parts)

    def output_buffer(self) -> Buffer:
        return Buffer(self.budget)
