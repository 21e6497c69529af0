"""core.text.nfc: decomposed Vietnamese made precomposed; everything else — ASCII, text already precomposed, numbers,
secrets — handed back as it was (a QueryDict with nothing to change is the very same object)."""

import unicodedata

from django.http import QueryDict

from motcua.core.text import nfc, nfc_querydict

NAME = "Nguyễn Thị Huệ"
DECOMPOSED = unicodedata.normalize("NFD", NAME)


def test_nfc_makes_decomposed_text_precomposed_inside_documents():
    assert nfc(DECOMPOSED) == NAME
    doc = {"ten": DECOMPOSED, "so": 12, "ds": [DECOMPOSED, None, 1.5], "cap": (DECOMPOSED,),
           "password": DECOMPOSED, "client_secret": DECOMPOSED}
    assert nfc(doc) == {"ten": NAME, "so": 12, "ds": [NAME, None, 1.5], "cap": (NAME,),
                        "password": DECOMPOSED, "client_secret": DECOMPOSED}


def test_input_with_nothing_to_change_is_handed_back_as_it_was():
    for query in ("q=khai+sinh&trang=2", "q=" + NAME):
        data = QueryDict(query)
        assert nfc_querydict(data) is data
    data = QueryDict(mutable=True)
    data.setlist("q", [DECOMPOSED, "abc"])
    data["new_password1"] = DECOMPOSED
    out = nfc_querydict(data)
    assert out.getlist("q") == [NAME, "abc"] and out["new_password1"] == DECOMPOSED and not out._mutable


def test_a_key_sent_both_ways_keeps_the_values_of_both():
    key = "tỉnh"
    data = QueryDict(mutable=True)
    data.setlist(key, ["Đà Nẵng"])
    data.setlist(unicodedata.normalize("NFD", key), [DECOMPOSED, "Huế"])
    out = nfc_querydict(data)
    assert list(out) == [key] and out.getlist(key) == ["Đà Nẵng", NAME, "Huế"]
