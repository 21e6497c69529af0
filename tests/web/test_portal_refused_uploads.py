"""A submission refused after its form passed its checks — the chosen commune stopped receiving (here: its dissolution
recorded for today, so a dossier filed now would be due after its last day) — writes nothing, yet the files the
citizen sent on 3G are not asked for again: held for the session, or kept with the draft being edited, as for a form
with a field to fix (test_portal.py). A file the citizen sent wins over a document from their repository offered for
the same component; a document they pick from the repository replaces the file their draft kept."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.documents.attachments import store_upload
from motcua.documents.vault import add_to_vault
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from tests.factories import sign_in

from .conftest import pdf_bytes
from .test_closed_unit_intake import APPLICANT, _dissolving_today
from .test_portal import _submit_payload

pytestmark = pytest.mark.django_db

KEPT = "Đã tải lên: {} — không cần tải lại; chọn tệp khác nếu muốn thay."


def _without_files(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("tp_")}


def _names(dossier) -> list[str]:
    return sorted(dossier.attachments.values_list("original_name", flat=True))


def _refused_files_kept(answer, said, comps) -> None:
    """Refused with why, every file listed as sent, none asked for again."""
    assert answer.status_code == 400
    body = answer.content.decode()
    assert said in lxml.html.fromstring(body).text_content()
    assert "vui lòng chọn lại tệp này" not in body
    for comp in comps:
        assert KEPT.format(f"giay-to-{comp.pk}.pdf") in body


def test_files_sent_to_a_commune_that_refuses_the_dossier_are_held_and_go_with_it_elsewhere(client, world):
    agency, other, citizen = world["agency"], world["other"], world["citizen"]
    said = _dissolving_today(client, world)[2]
    sign_in(client, citizen)
    url = reverse("portal:submit", args=[world["proc"].code])
    comps = list(world["proc"].components.all())

    _refused_files_kept(client.post(url, _submit_payload(world, agency=agency.pk, idem="tu-choi-1")), said, comps)
    assert not Dossier.objects.exists()  # nothing written in the citizen's name at the place that refused it

    assert KEPT.format(f"giay-to-{comps[0].pk}.pdf") in client.get(url).content.decode()  # the page opened again

    answer = client.post(url, _without_files(_submit_payload(world, agency=other.pk, idem="tu-choi-2")))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    sent = Dossier.objects.get(applicant=citizen)
    assert (sent.status, sent.agency) == (Status.SUBMITTED, other)
    assert _names(sent) == sorted(f"giay-to-{c.pk}.pdf" for c in comps)


def test_files_sent_with_a_draft_the_commune_refuses_are_kept_with_the_draft(client, world):
    agency, other, citizen = world["agency"], world["other"], world["citizen"]
    draft = lifecycle.save_draft(applicant=citizen, procedure=world["proc"], agency=agency,
                                 applicant_data=APPLICANT, form_data={"child_name": "Bé Na"})
    said = _dissolving_today(client, world)[2]
    sign_in(client, citizen)
    url = f"{reverse('portal:submit', args=[world['proc'].code])}?nhap={draft.pk}"
    comps = list(world["proc"].components.all())

    _refused_files_kept(client.post(url, _submit_payload(world, draft=draft.pk, idem="nhap-1")), said, comps)
    draft.refresh_from_db()
    assert (draft.status, draft.agency_id, draft.form_data) == (Status.DRAFT, agency.pk, {"child_name": "Bé Na"})
    assert _names(draft) == sorted(f"giay-to-{c.pk}.pdf" for c in comps)

    answer = client.post(url, _without_files(_submit_payload(world, draft=draft.pk, agency=other.pk, idem="nhap-2")))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    draft.refresh_from_db()
    assert (draft.status, draft.agency_id) == (Status.SUBMITTED, other.pk)
    assert _names(draft) == sorted(f"giay-to-{c.pk}.pdf" for c in comps)


def _checked(body: str, name: str) -> list[str]:
    return lxml.html.fromstring(body).xpath(f"//input[@name='{name}'][@checked]/@value")


def _with_a_repository_document(client, world):
    """The citizen, signed in, holds a «Giấy chứng sinh» in their repository: (citizen, its component, the
    repository's item, the submission page)."""
    citizen = world["citizen"]
    old = store_upload(pdf_bytes(), owner=citizen, name="giay-chung-sinh-cu.pdf")
    item = add_to_vault(old, id_number="051190001234", kind="component", title="Giấy chứng sinh")
    sign_in(client, citizen)
    return (citizen, world["proc"].components.get(name="Giấy chứng sinh"), item,
            reverse("portal:submit", args=[world["proc"].code]))


def test_the_file_the_citizen_sent_wins_over_the_repositorys_document_for_the_same_component(client, world):
    citizen, comp, item, url = _with_a_repository_document(client, world)
    assert _checked(client.get(url).content.decode(), f"kho_{comp.pk}") == [str(item.pk)]  # offered first

    # A new photo sent, the repository's choice left as it was, and the place forgotten: the photo is held, and
    # the page now marks «Không, tôi tải tệp lên» for it.
    data = _submit_payload(world, agency="")
    data[f"tp_{comp.pk}"] = SimpleUploadedFile("anh-moi.pdf", pdf_bytes(), "application/pdf")
    data[f"kho_{comp.pk}"] = str(item.pk)
    body = client.post(url, data).content.decode()
    assert KEPT.format("anh-moi.pdf") in body
    assert _checked(body, f"kho_{comp.pk}") == [""]
    assert _checked(client.get(url).content.decode(), f"kho_{comp.pk}") == [""]  # the page opened again

    again = _without_files(_submit_payload(world, agency=world["agency"].pk))
    again[f"kho_{comp.pk}"] = _checked(body, f"kho_{comp.pk}")[0]  # what the browser sends back
    answer = client.post(url, again)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    sent = Dossier.objects.get(applicant=citizen)
    assert list(sent.attachments.filter(component=comp).values_list("original_name", flat=True)) == ["anh-moi.pdf"]


def test_a_document_taken_from_the_repository_replaces_the_file_kept_with_the_draft(client, world):
    citizen, comp, item, url = _with_a_repository_document(client, world)
    client.post(url, _submit_payload(world, f_child_name="", **{f"kho_{comp.pk}": ""}))  # kept with a draft
    draft = Dossier.objects.get(applicant=citizen, status=Status.DRAFT)
    page = client.get(f"{url}?nhap={draft.pk}").content.decode()
    assert KEPT.format(f"giay-to-{comp.pk}.pdf") in page and _checked(page, f"kho_{comp.pk}") == [""]

    again = _without_files(_submit_payload(world, draft=draft.pk))  # the citizen now picks the repository's
    again[f"kho_{comp.pk}"] = str(item.pk)
    answer = client.post(url, again)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert list(draft.attachments.filter(component=comp).values_list("original_name", flat=True)) == [
        "giay-chung-sinh-cu.pdf"]  # one file for the component, not the draft's and the repository's both
    assert draft.attachments.count() == world["proc"].components.count()
