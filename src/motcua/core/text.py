"""Vietnamese text helpers: folding for accent-insensitive search, and one form (NFC) for what comes in.

Vietnamese arrives in two Unicode forms that look the same: precomposed («ế» = U+1EBF, NFC) and decomposed («e» +
U+0302 + U+0301, NFD: the «Unicode tổ hợp» setting of Unikey/VietKey, text pasted from some PDF and Word files).
They compare unequal, the decomposed one is longer (a field's ``max_length`` counts code points) and the papers'
PDF font draws its combining marks on top of each other (no text shaping). ``nfc`` makes what a user sends — form
fields and query parameters (core.input), the API's JSON, query and form values (api.main.NfcParser), the cells of the
catalog and plan imports — precomposed, once, where it comes in.

Two keys of one JSON object that are the same key once precomposed («tỉnh» typed both ways) cannot both be kept: the
document is refused (``DuplicateKey``, 422 ``duplicate_key``) rather than one value silently dropped. A form field or
query parameter sent both ways is one field with the values of both (``nfc_querydict``), as a field sent twice is.
"""

import unicodedata

from .errors import ValidationFailed

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})
# Values compared byte for byte, never rewritten: a password typed in the decomposed form before NFC was applied
# must still match its hash; a secret is an opaque string.
SECRET_KEYS = ("password", "secret")


class DuplicateKey(ValidationFailed):
    """A JSON object naming one key twice, once precomposed and once decomposed (`exact` False) or twice as the very
    same text (`exact`): which value was meant is unknown."""

    def __init__(self, key: str, *, exact: bool = False):
        shown = key if len(key) <= 60 else key[:60] + "…"
        how = "" if exact else " (một lần gõ dạng dựng sẵn, một lần dạng tổ hợp)"
        super().__init__("duplicate_key", f"Khóa «{shown}» xuất hiện hai lần trong cùng một đối tượng JSON{how}, không "
                                          "rõ giá trị nào được dùng; hãy gửi mỗi khóa một lần.", details={"key": key})


def unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """json's object_pairs_hook: the object as a dict, DuplicateKey(exact=True) when it names a key twice (json.loads
    alone keeps the last value without a word)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key, exact=True)
            seen.add(key)
    return obj


def first_few(items, shown: int, *, sep: str = ", ", total: int | None = None) -> str:
    """The first `shown` of `items` (texts) joined by `sep`, ending «…» when there are more (`total`, else as many as
    `items`): the codes a message names of a longer list, «H55-1, H55-2, …»."""
    items = list(items)
    listed = items[:shown]
    more = len(items) if total is None else total
    return sep.join(listed) + (f"{sep}…" if more > len(listed) else "")


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: 'Đăng ký khai sinh' -> 'dang ky khai sinh'."""
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def lowered(text: str) -> str:
    """Precomposed, case-folded and spaces collapsed, marks kept: 'TRẦN  Thị' -> 'trần thị'. What a name typed with
    diacritics is matched against (the back-office search); ``fold`` of it is ``fold`` of the text."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()) if text else ""


def nfc(value):
    """`value` with its text in the precomposed form (NFC): a string, or the strings inside a dict, list or tuple
    (a JSON document, a row of cells); a dict's value under a secret key (SECRET_KEYS) is left as it is. Anything
    else, and text already precomposed (ASCII included), is returned as it is. DuplicateKey when two keys of a dict
    become one."""
    if isinstance(value, str):
        return value if value.isascii() or unicodedata.is_normalized("NFC", value) else (
            unicodedata.normalize("NFC", value))
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = nfc(k)
            if key in out:
                raise DuplicateKey(key)
            out[key] = v if is_secret(k) else nfc(v)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(nfc(v) for v in value)
    return value


def is_secret(key) -> bool:
    return isinstance(key, str) and any(word in key.lower() for word in SECRET_KEYS)


def nfc_querydict(data):
    """A copy of a QueryDict (request.GET / request.POST) with its keys and values precomposed, secret fields as they
    were; `data` itself when nothing changes (ASCII input: the same object)."""
    if all(nfc(k) == k and all(is_secret(k) or nfc(v) == v for v in data.getlist(k)) for k in data):
        return data
    out = data.copy()  # mutable; made immutable again below, as Django hands it out
    out.clear()
    for key in data:  # a key sent both ways is one key: its values together, in the order sent
        values = data.getlist(key) if is_secret(key) else [nfc(v) for v in data.getlist(key)]
        out.setlist(nfc(key), out.getlist(nfc(key)) + values)
    out._mutable = False
    return out
