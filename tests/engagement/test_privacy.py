"""What the public feedback channel tells about other people (Decree 13/2023/ND-CP on personal data)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.engagement.models import Feedback
from tests.factories import AgencyFactory, citizen, procedure_with_steps, sign_in

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engagement"
BODY = {"classification": "regulation", "title": "Chờ lâu", "content": "Hồ sơ của tôi chậm so với ngày hẹn trả.",
        "name": "Võ Thị Lan", "phone": "0935111222"}


def _dossier(applicant, code="H55.99-261201-0007"):
    return Dossier.objects.create(procedure=procedure_with_steps(), agency=AgencyFactory(), status=Status.RETURNED,
                                  channel="online", rule_version="decree118_2025", code=code, applicant=applicant,
                                  applicant_name="Trần Thị Bình", returned_at=timezone.now())


def _api(client, code):
    r = client.post(f"{BASE}/feedback", {**BODY, "dossier_code": code}, content_type="application/json")
    return r.status_code, r.json()


def _portal(client, code):
    r = client.post(reverse("portal:feedback"), {**BODY, "dossier_code": code})
    return r.status_code, r.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_feedback_naming_someone_elses_dossier_answers_as_a_code_that_does_not_exist(client, signed_in):
    """No oracle of which dossier codes exist: codes are guessable (agency, date, sequence), the form asks no sign-in
    and counts no guesses, so «not yours» must read exactly as «no such code»."""
    _dossier(citizen())
    if signed_in:
        sign_in(client, citizen())
    assert _api(client, "H55.99-261201-0007") == _api(client, "H55.99-261201-0008")
    status, body = _api(client, "H55.99-261201-0007")
    assert status == 404 and body["code"] == "dossier_not_found"
    someone_elses, missing = _portal(client, "H55.99-261201-0007"), _portal(client, "H55.99-261201-0008")
    assert someone_elses[0] == missing[0] == 400
    assert "Không tìm thấy hồ sơ" in someone_elses[1] and "Chỉ người nộp" not in someone_elses[1]
    assert Feedback.objects.count() == 0


def test_the_applicant_still_names_their_own_dossier(client):
    owner = citizen()
    dossier = _dossier(owner)
    sign_in(client, owner)
    status, _ = _api(client, dossier.code)
    assert status == 201
    assert _portal(client, dossier.code.lower())[0] == 302
    assert Feedback.objects.filter(dossier=dossier).count() == 2


SENSITIVE = ["Võ Thị Lan", "võ thị lan", "0935", "111 222", "001190012345", "lan.vo@example.com", "Lý Thường Kiệt"]


def _published(agency):
    from motcua.engagement.feedback import answer_feedback, publish_feedback, submit_feedback
    from tests.factories import officer

    fb = submit_feedback(None, classification="conduct", title="Võ Thị Lan: chờ 3 giờ ở quầy",
                         content="Tôi là Võ Thị Lan, SĐT 0935 111 222, CCCD 001190012345, thư lan.vo@example.com, ở "
                                 "số 12 Lý Thường Kiệt. Cán bộ quầy 3 bắt tôi chờ 3 giờ.",
                         name="Võ Thị Lan", phone="0935111222", address="số 12 Lý Thường Kiệt", agency=agency)
    head = officer("department_head", agency)
    answer_feedback(head, fb, "Kính gửi bà võ thị lan (0935.111.222): quầy 3 đã được nhắc nhở; mức phí 1.500.000 đồng "
                    "giữ nguyên.")
    return publish_feedback(head, fb)


def test_published_feedback_shows_no_personal_data_of_the_sender(client):
    """Decree 13/2023/ND-CP art. 11: the sender's details typed into the text are not published with it."""
    agency = AgencyFactory(code="H55.99")
    fb = _published(agency)
    page = client.get(reverse("portal:feedback_answers")).content.decode()
    public = client.get(f"{BASE}/feedback/public").json()
    assert len(public) == 1 and fb.code in page
    shown = page + str(public)
    assert [s for s in SENSITIVE if s in shown] == []
    assert "Võ T. L." in public[0]["title"] and "Võ T. L." in public[0]["content"]
    assert "Cán bộ quầy 3 bắt tôi chờ 3 giờ." in public[0]["content"]
    assert "1.500.000 đồng" in public[0]["answer"], "an amount is not a phone number"
    # nor may a search tell that an item holds someone's number or name
    for q in ("0935111222", "001190012345", "Võ Thị Lan", "lan.vo@example.com"):
        assert client.get(f"{BASE}/feedback/public", {"q": q}).json() == [], q
    assert len(client.get(f"{BASE}/feedback/public", {"q": "quầy 3"}).json()) == 1
    # the officers still read what was sent
    fb.refresh_from_db()
    assert "0935 111 222" in fb.content and fb.submitter_phone == "0935111222"


def test_items_published_before_the_public_copy_get_one():
    import importlib

    from django.apps import apps

    fb = _published(AgencyFactory())
    Feedback.objects.filter(pk=fb.pk).update(public_title="", public_content="", public_answer="")
    importlib.import_module("motcua.engagement.migrations.0007_feedback_public_copy_backfill").backfill(apps, None)
    fb.refresh_from_db()
    assert fb.public_content.startswith("Tôi là Võ T. L., SĐT [đã ẩn], CCCD [đã ẩn]")


def test_the_backfill_writes_the_same_copy_whatever_the_application_code_becomes(monkeypatch):
    """A data migration keeps what it wrote when the application code changes later (here: privacy.py gone)."""
    import importlib
    import sys

    from django.apps import apps

    from motcua.engagement.privacy import automatic_copy

    fb = _published(AgencyFactory())
    fb.refresh_from_db()
    expected = automatic_copy(fb)
    assert expected["public_answer"].startswith("Kính gửi bà Võ T. L. ([đã ẩn])")
    Feedback.objects.filter(pk=fb.pk).update(public_title="", public_content="", public_answer="")
    name = "motcua.engagement.migrations.0007_feedback_public_copy_backfill"
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "motcua.engagement.privacy", None)  # importing it fails
    importlib.import_module(name).backfill(apps, None)
    fb.refresh_from_db()
    assert {field: getattr(fb, field) for field in expected} == expected


@pytest.mark.parametrize("name, initial", [("Hà", "H."), ("Tú", "T."), ("An", "A."), ("Lan", "L.")])
def test_a_sender_named_in_one_short_word_is_masked_in_the_public_copy(client, name, initial):
    """Decree 13/2023/ND-CP art. 11: «Hà» or «Tú» is a name as much as «Võ Thị Lan»; written capitalized it is the
    name, an everyday word («an toàn») stays."""
    from motcua.engagement.feedback import answer_feedback, publish_feedback, submit_feedback
    from tests.factories import officer

    agency = AgencyFactory()
    fb = submit_feedback(None, classification="conduct", title=f"{name} chờ ở quầy",
                         content=f"Tôi là {name}, cán bộ bắt tôi chờ lâu; quầy vẫn an toàn.", name=name,
                         phone="0935111222", agency=agency)
    head = officer("department_head", agency)
    answer_feedback(head, fb, f"Kính gửi {name.upper()}: cán bộ quầy 3 đã được nhắc nhở.")
    publish_feedback(head, fb)
    [shown] = client.get(f"{BASE}/feedback/public").json()
    assert shown["title"] == f"{initial} chờ ở quầy"
    assert shown["content"] == f"Tôi là {initial}, cán bộ bắt tôi chờ lâu; quầy vẫn an toàn."
    assert shown["answer"] == f"Kính gửi {initial}: cán bộ quầy 3 đã được nhắc nhở."
    page = client.get(reverse("portal:feedback_answers")).content.decode()
    assert f"{initial} chờ ở quầy" in page and f"{name} chờ" not in page


@pytest.mark.parametrize("name, word, text", [("Minh", "minh bạch", "Đề nghị công khai minh bạch mức phí."),
                                              ("Bình", "bình thường", "Quầy 3 vẫn làm việc bình thường."),
                                              ("Tâm", "quan tâm", "Cảm ơn sự quan tâm của cơ quan.")])
def test_a_one_word_name_that_is_also_an_everyday_word_masks_the_name_not_the_word(client, name, word, text):
    """A sender named «Minh», «Bình» or «Tâm»: the name is masked where it is written as a name; «minh bạch»,
    «bình thường», «quan tâm» in the text or the answer stay words, not «M. bạch»."""
    from motcua.engagement.feedback import answer_feedback, publish_feedback, submit_feedback
    from tests.factories import officer

    agency = AgencyFactory()
    fb = submit_feedback(None, classification="regulation", title=f"{name} hỏi về lệ phí",
                         content=f"Tôi là {name}; {text}", name=name, phone="0935111222", agency=agency)
    head = officer("department_head", agency)
    answer_feedback(head, fb, f"Kính gửi ông {name}: {text}")
    publish_feedback(head, fb)
    [shown] = client.get(f"{BASE}/feedback/public").json()
    initial = f"{name[0]}."
    assert shown["title"] == f"{initial} hỏi về lệ phí"
    assert shown["content"] == f"Tôi là {initial}; {text}"
    assert shown["answer"] == f"Kính gửi ông {initial}: {text}"
    assert word in client.get(reverse("portal:feedback_answers")).content.decode()
