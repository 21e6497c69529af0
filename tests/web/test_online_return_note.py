"""The citizen reads, while choosing how to receive the result, that a paper result comes online only as a signed
electronic copy the agency may not issue (dossiers.lifecycle.returns) — not only when the return is refused online at
the end. The note is server-rendered under the group's legend and is the group's description, not part of its name."""

import lxml.html
import pytest
from django.urls import reverse

from tests.web.test_accessibility import problems
from tests.web.test_portal import _submit_payload

pytestmark = pytest.mark.django_db

PAPER_NOTE = ("Kết quả của thủ tục này là bản giấy: chỉ nhận trực tuyến được nếu cơ quan giải quyết cấp bản điện tử "
              "có chữ ký số; nếu không, hãy chọn nhận tại Bộ phận Một cửa hoặc qua bưu chính công ích.")


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _return_group(html: str):
    """The return method's fieldset and the texts of what describes it (aria-describedby), in order."""
    doc = lxml.html.fromstring(html)
    group = doc.xpath("//input[@name='return_method']/ancestor::fieldset[1]")[0]
    described = [doc.xpath(f"//*[@id='{i}']") for i in (group.get("aria-describedby") or "").split()]
    assert all(len(found) == 1 for found in described), group.get("aria-describedby")  # each id leads somewhere
    return group, [found[0] for found in described]


def _submit_url(world):
    return reverse("portal:submit", args=[world["proc"].code])


def test_a_paper_result_is_said_beside_the_return_choice_as_its_description(client, world):
    assert world["proc"].result_type == "paper"
    client.force_login(world["citizen"])
    html = client.get(_submit_url(world)).content.decode()
    group, described = _return_group(html)
    assert [_text(d) for d in described] == [PAPER_NOTE]
    note = described[0]
    assert note.getparent() is group and not note.xpath("ancestor::legend")  # under the legend, not in the name
    assert _text(group.find("legend")) == "Hình thức nhận kết quả *"
    assert [_text(lab) for lab in group.xpath(".//label[@for]")] == [
        "Tại Bộ phận Một cửa", "Trực tuyến", "Qua bưu chính công ích"]  # online is still offered
    assert not problems(html)
    checked = group.xpath(".//input[@checked]")  # the sure choice is chosen beforehand, not the online one
    assert [c.get("value") for c in checked] == ["counter"]


def test_sent_back_wrong_the_group_is_described_by_the_note_and_its_error(client, world):
    client.force_login(world["citizen"])
    resp = client.post(_submit_url(world), _submit_payload(world, return_method="bay"))
    assert resp.status_code == 400
    group, described = _return_group(resp.content.decode())
    assert _text(described[0]) == PAPER_NOTE
    assert "bay không phải là một trong các lựa chọn" in _text(described[1])
    assert not problems(resp.content.decode())


@pytest.mark.parametrize("result_type", ["electronic", "both"])
def test_a_procedure_with_an_electronic_result_shows_no_note(client, world, result_type):
    world["proc"].result_type = result_type
    world["proc"].save(update_fields=["result_type"])
    client.force_login(world["citizen"])
    html = client.get(_submit_url(world)).content.decode()
    group, described = _return_group(html)
    assert described == [] and group.get("aria-describedby") is None
    assert "là bản giấy" not in html
    assert [c.get("value") for c in group.xpath(".//input[@checked]")] == ["online"]
