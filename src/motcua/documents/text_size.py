"""How long a value comes out once turned into text (str, repr, JSON), told without building the text: a merge field
may build lists of lists that share their items («{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, …] %}»
is ten references, not ten copies), small in memory but ten times longer at each level once written out — «{{ d }}»,
«d|string», «'%s' % d», «d ~ ''», «d|tojson» built 10^8 characters and more in one call of C code, where no check
looks. template_bounds.Bounded (the sandbox, where the limit is used) asks text_size before each such conversion and refuses past MAX_MERGED.

An item shared by reference is counted each time it appears but measured once (memoised by id()), so measuring takes
as long as the distinct values do; the count stops as soon as it passes the limit. The size is an upper bound of what
Python writes: quotes, escapes, commas, brackets, and the line breaks and indents of «tojson(indent=n)»."""

from __future__ import annotations

import json
from collections.abc import Mapping, MappingView, Set

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

# The largest value a merge field may build (characters of a text, digits of a number, items of a list), or write
# out: a result fills a page or two; «{{ 'a' * 10**9 }}» would hold a gigabyte of the worker's memory.
MAX_MERGED = 100_000


class TooLarge(SecurityError):
    """A merge field would build a value past MAX_MERGED."""


# Deeper than this, a value is not written out: a result's data is a few levels deep; a list put inside itself at each
# turn of a loop is thousands deep (Python's own repr stops there with a RecursionError, a broken template).
MAX_DEPTH = 32
_OTHER = 100  # an object of no known kind (a range, a macro, a loop …): its repr names its kind in a few words


class _Sizer:
    """Sizes of one conversion: (characters at indent 0, line breaks) per value, memoised by id()."""

    def __init__(self, quote, limit: int, step: int | None):
        self.quote, self.limit, self.step = quote, limit, step  # step: «tojson(indent=step)», else None
        self.memo: dict[int, tuple[int, int]] = {}
        self.open: set[int] = set()
        self.alive: list = []  # what was measured, kept so that no id() is taken by a later value (dict_items' pairs)

    def leaf(self, value) -> int | None:
        if isinstance(value, str | bytes):
            if len(value) > self.limit:
                return len(value)
            if self.quote is repr and isinstance(value, str) and value.isprintable() and "\\" not in value:
                return len(value) + 2 + (value.count("'") if '"' in value else 0)
            text = self.quote(value)
            return len(text) + (sum(text.count(c) for c in "<>&'") * 5 if self.quote is json.dumps else 0)
        if isinstance(value, bool) or value is None:
            return 5
        if isinstance(value, int):
            return value.bit_length() * 30103 // 100000 + 2  # its digits and sign
        if isinstance(value, float):
            return 24
        return None

    def size(self, value, depth: int = 0) -> tuple[int, int]:
        leaf = self.leaf(value)
        if leaf is not None:
            return self.refuse(leaf), 0
        key = id(value)
        if key in self.memo:
            return self.memo[key]
        if key in self.open:  # a value inside itself: Python writes «[...]»
            return 5, 0
        if depth > MAX_DEPTH:
            raise TooLarge("nesting")
        self.open.add(key)
        try:
            self.memo[key] = self.container(value, depth)
            self.alive.append(value)
        finally:
            self.open.discard(key)
        return self.memo[key]

    def container(self, value, depth: int) -> tuple[int, int]:
        if isinstance(value, Namespace):
            value = object.__getattribute__(value, "_Namespace__attrs")
        if isinstance(value, Mapping):
            pairs = list(value.items())
        elif isinstance(value, list | tuple | Set | MappingView):
            pairs = [(None, item) for item in value]
        else:
            return _OTHER, 0
        step = self.step or 0
        chars, lines = len(type(value).__name__) + 16, 0  # brackets, a kind's name («dict_items([…])»)
        for name, item in pairs:
            if name is not None:
                # a key: written as it is, or turned into a text in JSON («1» → «"1"»)
                chars += self.size(name, depth + 1)[0] + 4
            item_chars, item_lines = self.size(item, depth + 1)
            chars += item_chars + item_lines * step + 2  # «, »
            if self.step is not None:  # a line of its own, indented one step further
                chars, lines = chars + 1 + step, lines + item_lines + 1
            self.refuse(chars)
        return chars, lines + (1 if self.step is not None and pairs else 0)

    def refuse(self, size: int) -> int:
        if size > self.limit:
            raise TooLarge("text")
        return size


def check_text(value, *, quote=str, limit: int = MAX_MERGED) -> int:
    """Refuse (TooLarge) a value whose text — str(value), or quote(value) with quote repr or ascii — would pass limit
    characters; else its size at most. A text or a number is O(1) (a text's own str is itself)."""
    if quote is str:
        if isinstance(value, str):
            return len(value)
        quote = repr  # str() of a list or dict writes its items' repr
    return _Sizer(quote, limit, None).size(value)[0]


def check_texts(values, *, limit: int = MAX_MERGED) -> int:
    """check_text of each value (the items «join» turns into text, each by str), sharing what was measured: their
    total."""
    sizer, total = _Sizer(repr, limit, None), 0
    for value in values:
        total += len(value) if isinstance(value, str) else sizer.size(value)[0]
        sizer.refuse(total)
    return total


def check_json(value, indent=None, *, limit: int = MAX_MERGED) -> int:
    """check_text for «value|tojson(indent)»: JSON with its texts escaped (non-ASCII as \\uXXXX, «<>&'» for HTML),
    each item on a line of its own indented `indent` per level when indent is given."""
    step = None if indent is None else len(indent) if isinstance(indent, str) else max(indent, 0) if isinstance(
        indent, int) else 0
    sizer = _Sizer(json.dumps, limit, step)
    chars, lines = sizer.size(value)
    return sizer.refuse(chars)
