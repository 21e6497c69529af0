"""Numbers in an e-form are typed and read as Vietnamese write them: «125,5», «1.500.000.000», «0,5» (core.answers,
web.forms.NumberField). They are stored as the machine writes them ("125.5") and shown back the Vietnamese way on the
citizen's and the officer's pages of the dossier, in the draft reopened and in the result drafted from it."""

import lxml.html
import pytest
from django.urls import reverse

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from tests.web.test_portal import _submit_payload

pytestmark = pytest.mark.django_db

NUMBERS = [{"name": "area", "label": "Diện tích (m²)", "type": "number", "required": True},
           {"name": "capital", "label": "Vốn đầu tư (đồng)", "type": "number"},
           {"name": "year", "label": "Năm tốt nghiệp", "type": "number"}]


@pytest.fixture
def proc(world):
    proc = world["proc"]
    proc.form_schema = [*proc.form_schema, *NUMBERS, {"name": "agree", "label": "Cam kết", "type": "checkbox"}]
    proc.save(update_fields=["form_schema"])
    return proc


def _answers(html: str) -> dict:
    """The «Tờ khai» card of a dossier page: {question: answer}."""
    page = lxml.html.fromstring(html)
    terms = page.xpath("//section[h2='Tờ khai']//dt")
    return {dt.text_content().strip(): dt.getnext().text_content().strip() for dt in terms}


def test_a_citizen_types_numbers_the_vietnamese_way_and_reads_them_so(client, world, proc):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[proc.code]),
                       _submit_payload(world, f_area="125,5", f_capital="1.500.000.000", f_year="2020"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    d = Dossier.objects.exclude(status=Status.DRAFT).get()
    assert {k: d.form_data[k] for k in ("area", "capital", "year")} == {
        "area": "125.5", "capital": "1500000000", "year": "2020"}
    shown = {"Diện tích (m²)": "125,5", "Vốn đầu tư (đồng)": "1.500.000.000", "Năm tốt nghiệp": "2020"}
    answers = _answers(client.get(reverse("portal:dossier", args=[d.pk])).content.decode())
    assert {k: answers[k] for k in shown} == shown
    client.force_login(world["counter"])
    answers = _answers(client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode())
    assert {k: answers[k] for k in shown} == shown


def test_numbers_and_a_yes_sent_by_an_api_client_read_vietnamese(client, world, proc):
    d = lifecycle.submit_online(
        applicant=world["citizen"], procedure=proc, agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "An", "birth_date": "2026-11-01", "area": 80.25, "capital": "2500000.5",
                   "year": 2019, "agree": True}, return_method="online")
    client.force_login(world["counter"])
    answers = _answers(client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode())
    assert answers["Diện tích (m²)"] == "80,25"
    assert answers["Vốn đầu tư (đồng)"] == "2.500.000,5"
    assert answers["Năm tốt nghiệp"] == "2019"  # a year is not grouped into «2.019»
    assert answers["Cam kết"] == "Có"
    assert answers["Ngày sinh"] == "01/11/2026"


def test_a_draft_reopened_shows_the_number_as_typed_and_keeps_it(client, world, proc):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[proc.code]),
                       _submit_payload(world, f_area="1.500,250", action="draft"))
    assert resp.status_code == 302
    draft = Dossier.objects.get(status=Status.DRAFT)
    assert draft.form_data["area"] == "1500.250"
    page = lxml.html.fromstring(client.get(f"{reverse('portal:submit', args=[proc.code])}?nhap={draft.pk}").content)
    box = page.xpath("//input[@name='f_area']")[0]
    assert box.get("value") == "1.500,250" and box.get("inputmode") == "decimal"
    # sent again as shown, it is the same number (not 1.500.250)
    resp = client.post(reverse("portal:submit", args=[proc.code]),
                       _submit_payload(world, f_area=box.get("value"), action="draft", nhap=draft.pk))
    assert Dossier.objects.get(pk=draft.pk).form_data["area"] == "1500.250"


def test_a_leader_extends_by_half_a_day_typed_with_a_comma(client, world, submitted):
    lifecycle.start_processing(lifecycle.receive(submitted, officer=world["counter"]), officer=world["counter"])
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "extend"]), {"days": "0,5", "reason": "Xác minh"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert Dossier.objects.get(pk=submitted.pk).extension_count == 1


def test_a_leader_typing_a_quarter_day_reads_that_extensions_go_by_half_days(client, world, submitted):
    lifecycle.start_processing(lifecycle.receive(submitted, officer=world["counter"]), officer=world["counter"])
    due = Dossier.objects.get(pk=submitted.pk).due_at
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "extend"]), {"days": "1,25", "reason": "Xác minh"})
    assert resp.status_code == 422
    assert "Số ngày gia hạn tính theo ngày làm việc hoặc nửa ngày (ví dụ 0,5; 1; 1,5)." in resp.content.decode()
    d = Dossier.objects.get(pk=submitted.pk)
    assert (d.extension_count, d.due_at) == (0, due)


def test_a_result_drafted_from_the_form_prints_its_numbers_and_yes_in_vietnamese(world, submitted, proc):
    from motcua.documents.result_drafts import template_context

    submitted.procedure = proc
    submitted.form_data = {**submitted.form_data, "area": "125.5", "capital": "1500000000", "agree": True}
    form = template_context(submitted)["form"]
    assert (form["area"], form["capital"], form["agree"], form["birth_date"]) == ("125,5", "1.500.000.000", "Có",
                                                                                   "01/11/2026")


# ---- limits named in messages: «5.000 ký tự», not «5000 ký tự» ----

def test_a_feedback_too_long_names_its_limit_the_vietnamese_way(client, world):
    resp = client.post(reverse("portal:feedback"), {
        "name": "Võ Thị Lan", "phone": "0905123456", "classification": "regulation", "title": "Thời gian chờ",
        "content": "Nội dung " * 600})
    assert resp.status_code == 400 and "Nội dung không được dài quá 5.000 ký tự." in resp.content.decode()


def test_an_api_client_sending_too_long_a_comment_reads_the_limit_the_vietnamese_way(client, world):
    from motcua.core.errors import ValidationFailed
    from motcua.engagement.ratings import submit_rating
    from tests.engagement.test_api import make_dossier

    dossier = make_dossier(world["citizen"])
    client.force_login(world["citizen"])
    r = client.post(f"/api/v1/engagement/dossiers/{dossier.pk}/rating", {"satisfied": True, "comment": "x" * 2001},
                    content_type="application/json")
    assert r.status_code == 422 and r.json()["details"]["fields"] == {"comment": "Quá dài: tối đa 2.000 ký tự."}
    with pytest.raises(ValidationFailed, match=r"^Ý kiến không được dài quá 2\.000 ký tự\.$"):
        submit_rating(world["citizen"], dossier, True, comment="x" * 2001)
