"""A key sent twice in one JSON object, once precomposed and once decomposed (Unikey's «Unicode tổ hợp»), is one key
once the text is made NFC (api.main.NfcParser): which of its two values was meant is unknown, so the request is
refused (422 duplicate_key, in Vietnamese, the key named) and nothing is written — before, one value was dropped
without a word. So is a key sent twice as the very same text. A query parameter sent both ways keeps the values of both, as on the pages."""

import unicodedata

import pytest
from django.http import QueryDict

from motcua.api.main import NfcParser
from motcua.dossiers.models import Dossier

from .conftest import submit_body

pytestmark = pytest.mark.django_db
KEY = "tỉnh"
NFD_KEY = unicodedata.normalize("NFD", KEY)


def _submit(world, form_data):
    return world.client("citizen").post("/api/v1/dossiers", submit_body(world, form_data=form_data),
                                        content_type="application/json")


@pytest.mark.parametrize("form_data", [
    {KEY: "Đà Nẵng", NFD_KEY: "Quảng Ngãi"},
    {"cha_me": [{"ho_ten": "Trần Văn Ba", KEY: "Huế", NFD_KEY: "Đà Nẵng"}]},  # at any depth
])
def test_a_key_sent_both_ways_in_one_object_is_refused_and_nothing_is_written(world, form_data):
    assert KEY != NFD_KEY
    r = _submit(world, form_data)
    body = r.json()
    assert (r.status_code, body["code"], body["details"]) == (422, "duplicate_key", {"key": KEY})
    assert f"Khóa «{KEY}» xuất hiện hai lần" in body["message"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(("body", "key"), [
    ('{"a": 1, "a": 2}', "a"),
    ('{"procedure_code": "X", "form_data": {"ho_ten": "Trần Văn Ba", "ho_ten": "Trần Thị Mai"}}', "ho_ten"),
])
def test_a_key_sent_twice_the_same_is_refused_in_vietnamese_and_nothing_is_written(world, body, key):
    """json.loads alone keeps the last value of a key named twice; the API refuses it as it does a key sent both ways,
    its message without the words about the two forms."""
    r = world.client("citizen").post("/api/v1/dossiers", body, content_type="application/json")
    answer = r.json()
    assert (r.status_code, answer["code"], answer["details"]) == (422, "duplicate_key", {"key": key})
    assert answer["message"] == (f"Khóa «{key}» xuất hiện hai lần trong cùng một đối tượng JSON, không rõ giá trị nào "
                                 "được dùng; hãy gửi mỗi khóa một lần.")
    assert not Dossier.objects.exists()


def test_keys_typed_decomposed_once_each_are_taken_precomposed(world):
    r = _submit(world, {NFD_KEY: "Đà Nẵng", "xã": unicodedata.normalize("NFD", "Hòa Vang")})
    assert r.status_code == 201, r.content
    assert Dossier.objects.get().form_data == {KEY: "Đà Nẵng", "xã": "Hòa Vang"}


def test_a_query_parameter_sent_both_ways_keeps_the_values_of_both():
    data = QueryDict(mutable=True)
    data.setlist(KEY, ["Đà Nẵng"])
    data.setlist(NFD_KEY, ["Huế"])
    data.setlist("trang", ["2"])
    assert NfcParser().parse_querydict(data, [KEY], None) == {KEY: ["Đà Nẵng", "Huế"], "trang": "2"}
