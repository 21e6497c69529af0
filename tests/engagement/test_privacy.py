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
