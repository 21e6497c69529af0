"""The sandbox a result template's merge fields run in (result_drafts._render): Jinja's sandbox, which keeps a merge
field away from Python's internals, bounded so that no merge field builds a value past MAX_MERGED characters
(digits, items) and holds the worker's memory and CPU: «{{ 'a' * 10**9 }}», «{{ '{:>999999999}'.format(x) }}»,
«{{ x|center(999999999) }}», «{{ (x * 9999)|replace('a', x * 9999) }}» … Each way of building text is measured before
the value is built where its size can be told from its arguments (padding width, replacements × growth,
separators × items), and the value is measured right after otherwise; every other filter's value is measured right
after too. Each value built passes through Bounded.built, where a render (render_budget.BoundedRender) also adds it
to the total it may build. A value turned into text — what «{{ }}» writes (finalize), «~», «%s»/«%r», a format
field, «join», «tojson», «pprint», every filter that takes a text, the key an error names — is measured first by
text_size, without building the text: a list of lists sharing its items is ten times longer at each level once
written out («{{ d }}» of four levels: 10^9 characters in one call of C code)."""

from __future__ import annotations

import functools
import inspect
import io
import math
import pprint
import re
from collections.abc import Mapping

from jinja2.filters import make_attrgetter
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.utils import Namespace, generate_lorem_ipsum, pass_context
from markupsafe import Markup

from .text_size import MAX_MERGED, TooLarge, check_json, check_text, check_texts


def _refuse_past(size, what: str) -> None:
    if size > MAX_MERGED:
        raise TooLarge(what)


def _size(value) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def _check(value, what: str):
    _refuse_past(_size(value), what)
    return value


def _int(value) -> int:
    return abs(value) if isinstance(value, int) else 0


# --- Numbers written in a format: «'{:>999999999}'», «'%.999999999f'» ---------------------------------------------

def _spec_widths(spec: str) -> int:
    """The largest number written in a format spec (width, precision; a fill digit at worst adds a small one)."""
    return max((int(n) for n in re.findall(r"\d+", spec)), default=0)


class _Measured:
    """A str.format formatter that refuses a field padded or written past MAX_MERGED, and stops as soon as the text
    it builds passes MAX_MERGED (a format string may repeat one long field)."""

    built = 0

    def vformat(self, format_string, args, kwargs):
        self.built = len(format_string)
        return self._env.built(super().vformat(format_string, args, kwargs), "format")

    def convert_field(self, value, conversion):
        check_text(value, quote=_QUOTES.get(conversion, str))  # «{0!r}»: repr of a list of lists
        return super().convert_field(value, conversion)

    def format_field(self, value, format_spec):
        _refuse_past(_spec_widths(format_spec), "format width")
        check_text(value)  # «'{}'.format(d)»: str of a list of lists
        text = super().format_field(value, format_spec)
        self.built += len(text)
        _refuse_past(self.built, "format")
        return text


class _Formatter(_Measured, SandboxedFormatter):
    pass


class _EscapeFormatter(_Measured, SandboxedEscapeFormatter):
    pass


_QUOTES = {"r": repr, "a": ascii}  # «%r», «{!r}» … write a value's repr; «%s», «{!s}» its str

_PRINTF = re.compile(r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?[hlL]?(?P<conv>.)",
                     re.S)


def printf_size(fmt: str, values) -> int:
    """At most how long «fmt % values» comes out: the format, each width and precision, each value written."""
    mapping = values if isinstance(values, Mapping) else None
    args = list(values) if isinstance(values, tuple) else [values]
    size, taken, seen = len(fmt), 0, {}

    def next_arg():
        nonlocal taken
        taken += 1
        return args[taken - 1] if taken <= len(args) else None

    for m in _PRINTF.finditer(fmt):
        for number in (m["width"], m["prec"]):
            size += _int(next_arg()) if number == "*" else int(number or 0)
        if m["conv"] == "%":
            continue
        value = (mapping.get(m["key"]) if mapping is not None else None) if m["key"] is not None else next_arg()
        if not isinstance(value, int | float) or m["conv"] in "ra":  # measured, not built (a list of lists)
            if (id(value), m["conv"]) not in seen:
                seen[id(value), m["conv"]] = check_text(value, quote=_QUOTES.get(m["conv"], str))
            size += seen[id(value), m["conv"]]
        else:  # a float written whole («%f» of 1e308: 316 characters); its precision is counted above
            size += len(f"{value:f}") if isinstance(value, float) else len(str(value))
        _refuse_past(size, "printf")
    return size


# --- Methods of a text called in a merge field: «x.center(n)», «x.replace(a, b)», «x.join(items)» ----------------

def replace_size(s, old, new, count=-1) -> int:
    times = (s.count(old) if old else len(s) + 1) if isinstance(old, str | bytes) else 0
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(s) + times * max(_size(new) - _size(old), 0)


def join_size(sep, items) -> int:
    return check_texts(items) + max(len(items) - 1, 0) * _size(sep)


def _translate_size(s, table) -> int:
    longest = max((_size(v) for v in table.values()), default=1) if isinstance(table, Mapping) else 1
    return len(s) * max(longest, 1)


def _method_call(env, method, args, kwargs):
    """A text's own method (str or bytes), measured before it builds its result."""
    s, name = method.__self__, method.__name__
    # bound to str's (bytes') own signature: Markup's methods take «*args, **kwargs»
    bound = inspect.signature(getattr(str if isinstance(s, str) else bytes, name)).bind(s, *args, **kwargs).arguments
    if name in {"center", "ljust", "rjust", "zfill"}:
        _refuse_past(_int(bound.get("width")), name)
    elif name == "expandtabs":
        _refuse_past(len(s) + s.count("\t" if isinstance(s, str) else b"\t") * _int(bound.get("tabsize", 8)), name)
    elif name == "replace":
        _refuse_past(replace_size(s, bound.get("old"), bound.get("new"), bound.get("count", -1)), name)
    elif name == "join":
        items = list(bound.get("iterable"))
        _refuse_past(join_size(s, items), name)
        return env.built(method(items), name)
    elif name == "translate":
        _refuse_past(_translate_size(s, bound.get("table")), name)
    return env.built(method(*args, **kwargs), name)


_TEXT_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate"}


# --- Filters: «x|center(n)», «x|indent(n)», «x|replace(a, b)», «items|join(sep)» ----------------------------------

def _indent(a):
    width, s = a.get("width", 4), str(a["s"])
    return len(s) + (s.count("\n") + 1) * (len(width) if isinstance(width, str) else _int(width))


def _wordwrap(a):
    # a line ends between two words, inside a word longer than the width, or where the text had a line break
    s, width = str(a["s"]), max(_int(a.get("width", 79)), 1)
    lines = len(s.split()) + s.count("\n") + len(s) // width + 1
    return len(s) + lines * (_size(a.get("wrapstring")) or 2)


def _urlize(a):
    s = str(a["value"])
    extra = sum(_size(a.get(k)) for k in ("target", "rel"))
    return 3 * len(s) + ((len(s.split()) + 1) * (extra + 48) if extra else 0)


# What each filter would build at most, told from its arguments (bound by name to the filter's own signature).
_FILTER_SIZES = {
    "center": lambda a: max(len(str(a["value"])), _int(a.get("width", 80))),
    "indent": _indent,
    "wordwrap": _wordwrap,
    "replace": lambda a: replace_size(str(a["s"]), str(a["old"]), str(a["new"]), -1 if a["count"] is None else a["count"]),
    "format": lambda a: printf_size(str(a["value"]), a.get("kwargs") or a.get("args", ())),
    "truncate": lambda a: min(len(str(a["s"])), _int(a.get("length", 255))) + _size(a.get("end", "...")),
    "urlize": _urlize,
    # «[x]|batch(10**9, 'a')» fills the last batch with 10**9 items; «x|slice(10**9)» yields 10**9 lists
    "batch": lambda a: _int(a.get("linecount")) if a.get("fill_with") is not None else 0,
    "slice": lambda a: _int(a.get("slices")),
    # «5|round(-10**7)» computes 10**(10**7): seconds of CPU
    "round": lambda a: _int(a.get("precision", 0)),
    "tojson": lambda a: check_json(a["value"], a.get("indent")),
}

# Filters that take a list (or a number) as it is: every other filter turns its value into text (str), measured
# first by check_text («d|string», «d|upper», «d|center(9)» of a list of lists); «join», «tojson» and «pprint»
# measure what they write themselves.
_AS_IS = {"abs", "attr", "batch", "count", "d", "default", "dictsort", "first", "float", "groupby", "int", "items",
          "join", "last", "length", "list", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
          "reverse", "round", "select", "selectattr", "slice", "sort", "sum", "tojson", "unique"}


def _check_value(name, func, args):
    """The value a filter turns into text, measured before (a filter has it first, after its context if any)."""
    at = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    if name not in _AS_IS and len(args) > at:
        check_text(args[at])


class _Capped(io.StringIO):
    def write(self, text):
        _refuse_past(self.tell() + len(text), "pprint")
        return super().write(text)


def _pprint(value):
    """«pprint»: its repr measured first (pprint builds it whole), then its line breaks and indents as written."""
    check_text(value, quote=repr)
    out = _Capped()
    pprint.PrettyPrinter(stream=out).pprint(value)  # pformat's text and a line break
    return out.getvalue()[:-1]


def _sync(func):
    """«join», «slice», «map» …: the sync filter (a sandbox never renders async)."""
    return func.__wrapped__ if getattr(func, "jinja_async_variant", False) else func


def _counted_filter(name, func, env):
    """Any other filter («upper», «list», «string» …): its result measured once built (items of a «map» are built
    by the filter it runs, itself counted)."""
    func = _sync(func)

    @functools.wraps(func)
    def counted(*args, **kwargs):
        _check_value(name, func, args)
        return env.built(func(*args, **kwargs), name)

    return counted


def _bounded_filter(name, func, env):
    func = _sync(func)
    signature = inspect.signature(func)

    @functools.wraps(func)  # keeps jinja's pass_eval_context / pass_environment mark
    def bounded(*args, **kwargs):
        _check_value(name, func, args)
        bound = signature.bind(*args, **kwargs)
        if name in {"join", "sum"}:  # measured on the items themselves (read once: they may come from a generator)
            seq = "value" if name == "join" else "iterable"
            items = bound.arguments[seq] = list(bound.arguments[seq])
            attribute = bound.arguments.get("attribute")
            parts = [make_attrgetter(env, attribute)(i) for i in items] if attribute is not None else items
            if name == "join":
                _refuse_past(join_size(bound.arguments.get("d", ""), parts), name)
            elif isinstance(bound.arguments.get("start"), list | tuple):  # «lists|sum(start=[])»: one long list
                _refuse_past(sum(_size(part) for part in parts), name)
        else:
            bound.apply_defaults()
            _refuse_past(_FILTER_SIZES[name](bound.arguments), name)
        return env.built(func(*bound.args, **bound.kwargs), name)

    return bounded


def _at_render(filtered):
    """A filter jinja gives the render's context first, as to a filter marked so, handing on what it asked for: jinja
    never runs such a filter while it compiles the template, to fold a constant («{{ (['a']|batch(99999,
    fill_with='x'|center(9999)|list)|list ~ '')|length }}» was joined into 5 × 10^9 characters there, where no check
    and no clock look); it runs when the template renders, measured."""
    kind = getattr(filtered, "jinja_pass_arg", None)
    given = {"context": lambda c: c, "eval_context": lambda c: c.eval_ctx,
             "environment": lambda c: c.environment}.get(getattr(kind, "name", None))

    @functools.wraps(filtered)
    def run(context, *args, **kwargs):
        return filtered(*args, **kwargs) if given is None else filtered(given(context), *args, **kwargs)

    return pass_context(run)


# --- Values kept across a loop and the lorem-ipsum helper --------------------------------------------------------

class _Namespace(Namespace):
    """namespace(): «{% set ns.x = ns.x ~ ns.x %}» in a loop doubles a text at each turn."""

    def __setitem__(self, name, value):
        super().__setitem__(name, _check(value, "namespace"))


def _lipsum(n=5, html=True, min=20, max=100):  # noqa: A002 (jinja's own argument names)
    _refuse_past(_int(n) * _int(max), "lipsum")
    return _check(generate_lorem_ipsum(n, html, min, max), "lipsum")


def _range(*args):
    """jinja's sandbox stops a range past 100.000 items with an OverflowError, which read as a broken Word file."""
    numbers = range(*args)
    _refuse_past(len(numbers), "range")
    return numbers


class _Undefined(Undefined):
    """What a missing item reads as: the error it raises once used names the key, written by repr
    («{{ ({}[d]).x }}»: a list of lists as the key)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        check_text(self._undefined_name, quote=repr)
        return super()._undefined_message


class Bounded(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (a merge field reaches the fields it is given, never Python's internals, and changes no list or
    dict in place) where nothing builds a value past MAX_MERGED: arithmetic, formatting, a text's methods, filters."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("undefined", _Undefined)
        super().__init__(*args, **kwargs)
        if self.finalize is None:
            self.finalize = self.textable  # each «{{ }}» value, before str() writes it
        self.filters["pprint"] = _pprint
        for name, func in list(self.filters.items()):
            bounded = name in _FILTER_SIZES or name in {"join", "sum"}
            self.filters[name] = _at_render((_bounded_filter if bounded else _counted_filter)(name, func, self))
        self.globals.update(namespace=_Namespace, lipsum=_lipsum, range=_range)

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            _refuse_past(right * math.log10(abs(left)), "power")  # its digits
        elif operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
            _refuse_past(abs(right) if abs(left) > 1 else 0, "power")
        elif operator == "*" and isinstance(left, int) and isinstance(right, int) and left and right:
            _refuse_past(math.log10(abs(left)) + math.log10(abs(right)), "product")
        elif operator == "*":
            sized, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(times, int) and hasattr(sized, "__len__"):
                _refuse_past(len(sized) * max(times, 0), "repetition")
        elif operator == "+":
            _refuse_past(_size(left) + _size(right), "concatenation")
        elif operator == "%" and isinstance(left, str | bytes):
            _refuse_past(printf_size(left, right), "printf")
        return self.built(super().call_binop(context, operator, left, right), operator)

    def wrap_str_format(self, value):
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        f_self, is_map = value.__self__, value.__name__ == "format_map"
        formatter = _EscapeFormatter(self, escape=f_self.escape) if isinstance(f_self, Markup) else _Formatter(self)

        @functools.wraps(value)
        def bounded(*args, **kwargs):
            if is_map and (kwargs or len(args) != 1):
                return wrapper(*args, **kwargs)  # jinja's own wrapper says what is wrong with the arguments
            if is_map:
                args, kwargs = (), args[0]
            return type(f_self)(formatter.vformat(f_self, args, kwargs))

        return bounded

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's own signature)
        for arg in (*args, *kwargs.values()):
            _check(arg, "argument")
        if getattr(__obj, "__name__", None) in _TEXT_METHODS and isinstance(getattr(__obj, "__self__", None),
                                                                            str | bytes):
            return _method_call(__self, __obj, args, kwargs)
        return __self.built(super().call(__context, __obj, *args, **kwargs), "call")

    def textable(self, value):
        """A value str() is about to write out («{{ d }}», «d ~ ''»): refused past MAX_MERGED before, measured without
        building it (text_size: a list of lists sharing their items is written out whole)."""
        if not isinstance(value, str):
            check_text(value)
        return value

    def built(self, value, what: str):
        """Each value built by an operation above (arithmetic, formatting, a text's method, a filter, a call): refused
        past MAX_MERGED; a render (render_budget.BoundedRender) also counts it towards its total."""
        return _check(value, what)

