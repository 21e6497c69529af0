"""Vietnamese typed in the decomposed form (NFD: Unikey's «Unicode tổ hợp», text pasted from some PDF or Word files:
«ế» sent as «e» + U+0302 + U+0301) is the same text as the precomposed one (NFC) once it reaches a view
(core.input.NfcInputMiddleware for pages, api.main.NfcParser for the API): found by a search, within a length
limit, printed as one letter; passwords and a payment gateway's signed parameters stay as sent."""

import io
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from motcua.dossiers.models import Dossier
from motcua.engagement.models import Feedback
from tests.factories import citizen

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    out = unicodedata.normalize("NFD", text)
    assert out != text  # the test would prove nothing on text that has no decomposed form
    return out


def test_a_name_typed_decomposed_at_the_counter_is_found_and_printed_precomposed(client, world):
    client.force_login(world["counter"])
    comps = list(world["proc"].components.all())
    name = "Nguyễn Thị Huệ"
    data = {"thu_tuc": world["proc"].code, "applicant_name": nfd(name), "applicant_id_number": "051080002222",
            "applicant_phone": "0905111333", "f_child_name": nfd("Lê Bảo Ngọc"), "f_birth_date": "01/11/2026",
            "agency": world["agency"].pk, "channel": "counter", "return_method": "counter", "idem": "nfc1",
            **{f"tp_{c.pk}": "on" for c in comps}}
    assert client.post(reverse("backoffice:walk_in"), data).status_code == 302
    d = Dossier.objects.get(applicant_id_number="051080002222")
    assert d.applicant_name == name
    # the officer searching the name typed precomposed finds it
    listing = client.get(reverse("backoffice:dossiers"), {"q": "Thị Huệ"}).content.decode()
    assert d.code in listing
    # the receipt prints the name with its letters precomposed (the PDF font draws no combining marks in place)
    receipt = client.get(reverse("backoffice:slip", args=[d.pk, "receipt", "pdf"])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt)).pages)
    assert name.upper() in text or name in text
    assert not any(unicodedata.combining(ch) for ch in text)


def test_a_search_typed_decomposed_finds_the_precomposed_name(client, world, submitted):
    client.force_login(world["counter"])
    listing = client.get(reverse("backoffice:dossiers"), {"q": nfd("Thị Mai")}).content.decode()
    assert submitted.code in listing


def test_a_title_of_255_letters_typed_decomposed_fits_its_255_letters(client, world):
    title = ("Đề nghị rút ngắn thời hạn cấp giấy khai sinh " * 6)[:255].strip()
    assert len(title) <= 255 < len(nfd(title))
    data = {"name": nfd("Phạm Văn Đức"), "phone": "0905123456", "classification": "regulation", "agency": "",
            "title": nfd(title), "content": nfd("Đề nghị công khai thời hạn giải quyết tại bộ phận một cửa.")}
    resp = client.post(reverse("portal:feedback"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    fb = Feedback.objects.get()
    assert (fb.title, fb.submitter_name) == (title, "Phạm Văn Đức")


def test_the_api_takes_json_typed_decomposed_as_precomposed(client):
    title = ("Phí sao y bản chính tại bộ phận tiếp nhận và trả kết quả " * 5)[:255].strip()
    body = {"classification": "regulation", "title": nfd(title), "name": nfd("Võ Thị Lan"), "phone": "0935111222",
            "content": nfd("Đề nghị công khai mức phí sao y tại bộ phận một cửa.")}
    r = client.post("/api/v1/engagement/feedback", body, content_type="application/json")
    assert r.status_code == 201, r.content
    fb = Feedback.objects.get(code=r.json()["code"])
    assert (fb.title, fb.submitter_name) == (title, "Võ Thị Lan")


def test_a_password_is_compared_as_typed(client):
    """A password set in the decomposed form before input was made precomposed still signs in (a secret is never
    rewritten: core.text.SECRET_KEYS)."""
    password = nfd("Mật khẩu tổ hợp 2026!")
    user = citizen(username="congdan_nfd")
    user.set_password(password)
    user.save()
    resp = client.post(reverse("portal:login"), {"username": "congdan_nfd", "password": password})
    assert resp.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)
