"""A citizen finds how a question was answered by the words of the answer, on the Portal and in the API; a search
reads the public copy only, never the text as sent (Decree 13/2023/ND-CP: it must not tell who wrote what)."""

import pytest
from django.urls import reverse

from motcua.engagement.feedback import answer_feedback, publish_feedback, submit_feedback
from tests.factories import AgencyFactory, officer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engagement"


def _published(agency, title, content, answer):
    fb = submit_feedback(None, classification="regulation", title=title, content=content, name="Võ Thị Lan",
                         phone="0935111222", agency=agency)
    head = officer("department_head", agency)
    answer_feedback(head, fb, answer)
    return publish_feedback(head, fb)


def _found(client, q):
    api = [item["code"] for item in client.get(f"{BASE}/feedback/public", {"q": q}).json()]
    page = client.get(reverse("portal:feedback_answers"), {"q": q}).content.decode()
    return api, page


def test_the_public_list_finds_an_item_by_the_words_of_its_answer_and_never_by_the_text_as_sent(client):
    agency = AgencyFactory()
    fee = _published(agency, "Hỏi về lệ phí", "Lệ phí khai sinh thu bao nhiêu, ai quyết định?",
                     "Kính gửi bà Võ Thị Lan: mức thu do Hội đồng nhân dân tỉnh quyết định, niêm yết tại quầy số 2.")
    other = _published(agency, "Chờ lâu", "Tôi chờ ở quầy 3 rất lâu, gọi 0935 111 222 không ai nghe.",
                       "Đã bố trí thêm cán bộ tiếp nhận buổi sáng.")
    api, page = _found(client, "hội đồng nhân dân")
    assert api == [fee.code]
    assert fee.code in page and other.code not in page and "niêm yết tại quầy số 2" in page
    assert _found(client, "thêm cán bộ")[0] == [other.code]
    assert _found(client, fee.code)[0] == [fee.code], "by its code, as before"
    # the answer's sender name and the content's phone are in the text as sent only: nothing found by them
    for private in ("Võ Thị Lan", "0935 111 222"):
        api, page = _found(client, private)
        assert api == [], private
        assert fee.code not in page and other.code not in page and "Không tìm thấy kết quả trả lời nào" in page
