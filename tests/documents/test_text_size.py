"""text_size: the size told without building the text is never short of what Python writes (else a text past the
limit would still be built), and stays close for a normal value."""

import pprint
import random

import pytest
from jinja2.utils import htmlsafe_json_dumps

from motcua.documents.template_bounds import _pprint
from motcua.documents.text_size import TooLarge, check_json, check_text, check_texts

CHARS = "ab '\"\\\n<>&ệ\x00😀"


def _leaf(rnd):
    kind = rnd.randrange(4)
    if kind == 0:
        return "".join(rnd.choice(CHARS) for _ in range(rnd.randrange(12)))
    if kind == 1:
        return rnd.randint(-10**30, 10**30)
    return rnd.random() * 1e300 if kind == 2 else rnd.choice([True, False, None])


def _value(rnd, depth):
    if depth == 0 or rnd.random() < 0.3:
        return _leaf(rnd)
    items = [_value(rnd, depth - 1) for _ in range(rnd.randrange(5))]
    kind = rnd.randrange(3)
    return items if kind == 0 else tuple(items) if kind == 1 else {str(_leaf(rnd)): item for item in items}


def test_the_size_told_is_never_short_of_the_text():
    rnd = random.Random(7)
    for _ in range(500):
        value = _value(rnd, 5)
        for quote in (str, repr, ascii):
            assert check_text(value, quote=quote) >= len(quote(value))
        for indent in (None, 0, 3, "--"):
            assert check_json(value, indent) >= len(htmlsafe_json_dumps(value, indent=indent))
        assert _pprint(value) == pprint.pformat(value)
    items = ["Trần Mai", 12, ["a", ("b",)], {"k": None}]
    assert check_texts(items) >= sum(len(str(item)) for item in items)


def test_a_shared_item_is_counted_each_time_and_measured_once():
    a = "x" * 999
    b = [a] * 10
    assert 50 * 1_001 <= len(str([b] * 5)) <= check_text([b] * 5) < 50 * 1_010
    nested = b
    for _ in range(40):  # 10^40 × a written out: refused at once, not walked
        nested = [nested] * 10
    with pytest.raises(TooLarge):
        check_text(nested)
    with pytest.raises(TooLarge):
        check_json(nested)


def test_a_normal_value_is_told_close_to_its_text():
    value = {"ho_ten": "Trần Mai", "con": [{"ten": "Bảo", "ngay_sinh": "01/10/2025"}], "so": 3}
    assert check_text(value) <= 3 * len(str(value)) + 200
    assert check_text("Trần Mai") == 8 and check_text(12345) <= 8
