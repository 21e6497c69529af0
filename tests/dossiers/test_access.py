"""One rule for a dossier and its files (motcua.dossiers.access): an officer of an agency that received the
dossier by inter-agency hand-over (liên thông) opens the dossier and its files, on the web and through the API,
while it holds the dossier and after handing it back; an officer of an unrelated agency gets neither."""

import pytest
from django.test import Client

from motcua.documents.attachments import store_upload
from motcua.dossiers import lifecycle
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_over(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOTCUA_OFFICER_2FA = False
    lead = AgencyFactory(name="UBND xã Tịnh Sơn")
    helper = AgencyFactory(name="Sở Tư pháp")
    unrelated = AgencyFactory(name="UBND xã Bình Sơn")
    proc = procedure_with_steps()
    proc.agencies.add(lead)
    applicant = citizen(full_name="Nguyễn Văn An", id_number="051090001234")
    counter = officer("counter_officer", lead)
    specialist = officer("specialist", lead)
    dossier = lifecycle.receive_at_counter(
        officer=counter, procedure=proc, agency=lead, applicant_data={"name": "Nguyễn Văn An",
                                                                      "id_number": "051090001234"},
        form_data={})
    dossier.applicant = applicant
    dossier.save(update_fields=["applicant"])
    attachment = store_upload(_pdf(), owner=applicant, dossier=dossier,
                              component=proc.components.first(), uploaded_by=counter, name="to-khai.pdf")
    dossier = lifecycle.start_processing(dossier, officer=specialist)
    dossier = lifecycle.hand_over(dossier, officer=specialist, to_agency=helper, note="Xin ý kiến")
    return {"dossier": dossier, "attachment": attachment, "helper_officer": officer("specialist", helper),
            "unrelated_officer": officer("specialist", unrelated)}


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="To khai dang ky khai sinh")
    return bytes(pdf.output())


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _answers(user, dossier, attachment) -> dict:
    c = _client(user)
    return {
        "web dossier": c.get(f"/can-bo/ho-so/{dossier.pk}/").status_code,
        "web file": c.get(f"/can-bo/ho-so/{dossier.pk}/tep/{attachment.pk}/").status_code,
        "api dossier": c.get(f"/api/v1/dossiers/{dossier.code}").status_code,
        "api file": c.get(f"/api/v1/documents/attachments/{attachment.pk}/content").status_code,
    }


def test_hand_over_agency_opens_the_files_while_it_holds_the_dossier_and_after(handed_over):
    dossier, att = handed_over["dossier"], handed_over["attachment"]
    helper = handed_over["helper_officer"]
    ok = {"web dossier": 200, "web file": 200, "api dossier": 200, "api file": 200}
    assert _answers(helper, dossier, att) == ok
    dossier = lifecycle.return_from_agency(dossier, officer=helper, note="Đã cho ý kiến")
    assert dossier.current_agency_id == dossier.agency_id
    assert _answers(helper, dossier, att) == ok


def test_unrelated_agency_gets_neither_the_dossier_nor_its_files(handed_over):
    dossier, att = handed_over["dossier"], handed_over["attachment"]
    answers = _answers(handed_over["unrelated_officer"], dossier, att)
    assert all(status in (403, 404) for status in answers.values()), answers
