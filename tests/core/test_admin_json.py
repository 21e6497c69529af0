"""A JSON field in the admin (a rating criterion's labels by score, a procedure's e-form…) typed with a number the
database cannot store — NaN, Infinity, «1e400» (infinity once read), an integer of thousands of digits — is a form
error under the field, nothing saved, not a 500 from the database's JSON check (found by tests/web/test_crawl.py)."""

import unicodedata

import pytest

from motcua.engagement.models import RatingCriterion
from tests.admin_forms import admin_form, errors_of
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db
URL = "/admin/engagement/ratingcriterion/add/"


@pytest.mark.parametrize("typed", ["1e400", "NaN", '{"2": Infinity}', "[-Infinity]", "9" * 5000, '{"1": 1e999}'])
def test_json_the_database_cannot_store_is_a_form_error(client, typed):
    sign_in(client, UserFactory(username="quantri.json", is_staff=True, is_superuser=True))
    before = RatingCriterion.objects.count()
    answer = client.post(URL, admin_form(client, URL, code="thoi-gian", name="Thời gian", order="1", options=typed))
    assert answer.status_code == 200 and errors_of(answer) == ["Nhập dữ liệu JSON hợp lệ."]
    assert RatingCriterion.objects.count() == before


def test_ordinary_json_is_saved(client):
    sign_in(client, UserFactory(username="quantri.json", is_staff=True, is_superuser=True))
    answer = client.post(URL, admin_form(client, URL, code="thoi-gian", name="Thời gian", order="1",
                                         options='{"2": "Sớm hơn quy định", "1": 1.5, "0": -3}'))
    assert answer.status_code == 302, errors_of(answer)
    assert RatingCriterion.objects.get(code="thoi-gian").options == {"2": "Sớm hơn quy định", "1": 1.5, "0": -3}


@pytest.mark.parametrize("key", ["Sớm", unicodedata.normalize("NFD", "Sớm")])
def test_json_naming_a_key_twice_is_a_form_error_that_names_it(client, key):
    """The second «Sớm» typed decomposed is the same key once the page's input is precomposed (core.input): one of
    the two values would be dropped without a word."""
    sign_in(client, UserFactory(username="quantri.json", is_staff=True, is_superuser=True))
    answer = client.post(URL, admin_form(client, URL, code="thoi-gian", name="Thời gian", order="1",
                                         options=f'{{"Sớm": 2, "{key}": 1}}'))
    assert answer.status_code == 200
    assert errors_of(answer) == ["Khóa «Sớm» xuất hiện hai lần trong cùng một đối tượng JSON (có thể một lần gõ dạng "
                                 "dựng sẵn, một lần dạng tổ hợp); không rõ giá trị nào được dùng, hãy để mỗi khóa một "
                                 "lần."]
    assert not RatingCriterion.objects.filter(code="thoi-gian").exists()
