"""Consent to read the citizen's data repository from the web pages: the citizen on the portal's dossier page, the
officer handling the dossier in the back office (rules: motcua.documents.consent)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.documents.consent import active_consent
from motcua.documents.models import VaultConsent
from motcua.dossiers.models import DossierEvent
from tests.vietnamese import assert_vietnamese

pytestmark = pytest.mark.django_db

ID = "051190001234"  # world["citizen"], the applicant of `submitted`


def _date(when) -> str:
    return timezone.localtime(when).strftime("%d/%m/%Y")


def _html(resp) -> str:
    return resp.content.decode()


def _nothing_written():
    return not VaultConsent.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="vault.consent").exists()


# ---- portal: the citizen ----

def test_citizen_gives_consent_sees_it_in_force_then_withdraws_it(client, world, submitted, settings):
    settings.MOTCUA_VAULT_CONSENT_DAYS = 30
    client.force_login(world["citizen"])
    page = reverse("portal:dossier", args=[submitted.pk])
    resp = client.get(page)
    html = _html(resp)
    assert resp.status_code == 200 and "Cho phép cơ quan khai thác kho dữ liệu của tôi" in html
    assert html.count("Chưa đồng ý") == 2  # one line per purpose, with its Vietnamese label
    assert "Tái sử dụng để điền sẵn, bổ sung hồ sơ thủ tục hành chính" in html
    assert "Cơ quan giải quyết hồ sơ tra cứu, đối chiếu" in html
    assert 'name="days" value="30"' in html and 'max="30"' in html  # the maximum is the default
    assert_vietnamese(resp, where=page)

    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "10"},
                       follow=True)
    row = VaultConsent.objects.get()
    assert row.by_applicant and row.dossier == submitted and row.id_number == ID and row.purpose == "prefill"
    assert dt.timedelta(days=9, hours=23) < row.expires_at - timezone.now() <= dt.timedelta(days=10)
    html = _html(resp)
    assert resp.redirect_chain == [(page, 302)] and "Đã ghi nhận sự đồng ý" in html
    assert "Đang có hiệu lực" in html and _date(row.expires_at) in html and "công dân tự đồng ý" in html
    assert html.count("Chưa đồng ý") == 1  # the other purpose is untouched
    assert_vietnamese(resp, where=page)
    grant = AuditEntry.objects.get(action="vault.consent_grant")
    assert grant.object_id == str(row.pk) and grant.actor_id == world["citizen"].pk
    assert grant.data["dossier"] == submitted.pk and grant.data["by_applicant"] is True

    resp = client.post(reverse("portal:consent_revoke", args=[submitted.pk]), {"purpose": "prefill"}, follow=True)
    row.refresh_from_db()
    assert row.revoked_at is not None and active_consent(ID, "prefill", submitted) is None
    html = _html(resp)
    assert resp.redirect_chain == [(page, 302)] and "Đã rút lại sự đồng ý" in html
    assert "Đã rút lại</span> lúc" in html and "Đang có hiệu lực" not in html
    assert_vietnamese(resp, where=page)
    revoke = AuditEntry.objects.get(action="vault.consent_revoke")
    assert revoke.object_id == str(row.pk) and revoke.actor_id == world["citizen"].pk


def test_a_consent_in_force_is_kept_as_it_is(client, world, submitted):
    client.force_login(world["citizen"])
    url = reverse("portal:consent_grant", args=[submitted.pk])
    client.post(url, {"purpose": "processing", "days": "5"})
    resp = client.post(url, {"purpose": "processing", "days": "20"}, follow=True)
    row = VaultConsent.objects.get()
    assert (row.expires_at - row.granted_at).days == 5
    assert "đang có hiệu lực đến" in _html(resp) and "không gia hạn" in _html(resp)


@pytest.mark.parametrize("days, message", [
    ("0", "Thời hạn đồng ý phải từ 1 đến 30 ngày."),
    ("31", "Thời hạn đồng ý phải từ 1 đến 30 ngày."),
    ("mười", "Số ngày phải là một số nguyên."),
    ("", "Vui lòng nhập mục này."),
])
def test_bad_days_are_refused_in_vietnamese_and_write_nothing(client, world, submitted, settings, days, message):
    settings.MOTCUA_VAULT_CONSENT_DAYS = 30
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": days})
    html = _html(resp)
    assert resp.status_code in (400, 422) and message in html
    assert 'aria-invalid="true"' in html  # placed at the days field
    assert _nothing_written()


def test_a_forged_purpose_is_refused(client, world, submitted):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "marketing", "days": "3"})
    assert resp.status_code == 422 and "Mục đích khai thác dữ liệu không hợp lệ." in _html(resp)
    resp = client.post(reverse("portal:consent_revoke", args=[submitted.pk]), {"purpose": "marketing"})
    assert resp.status_code == 422
    assert _nothing_written()


def test_who_filed_for_another_person_sees_the_state_but_cannot_consent_for_them(client, world, submitted):
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=submitted.pk).update(applicant_id_number="051090009999")  # filed for a relative
    client.force_login(world["citizen"])
    resp = client.get(reverse("portal:dossier", args=[submitted.pk]))
    html = _html(resp)
    assert resp.status_code == 200 and html.count("Chưa đồng ý") == 2
    assert 'name="days"' not in html and "Chỉ người đứng tên hồ sơ tự đồng ý" in html
    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "10"})
    assert resp.status_code == 403 and _nothing_written()


def test_another_citizens_dossier_is_404(client, world, submitted):
    client.force_login(world["citizen"])
    client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "3"})
    client.force_login(world["citizen2"])
    assert client.get(reverse("portal:dossier", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("portal:consent_grant", args=[submitted.pk]),
                       {"purpose": "processing", "days": "3"}).status_code == 404
    assert client.post(reverse("portal:consent_revoke", args=[submitted.pk]), {"purpose": "prefill"}).status_code == 404
    assert VaultConsent.objects.get().revoked_at is None and VaultConsent.objects.count() == 1


def test_consent_pages_are_post_only(client, world, submitted):
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:consent_grant", args=[submitted.pk])).status_code == 405
    client.force_login(world["counter"])
    assert client.get(reverse("backoffice:consent_revoke", args=[submitted.pk])).status_code == 405


# ---- back office: the officer handling the dossier ----

def test_officer_of_the_handling_agency_records_and_withdraws(client, world, submitted):
    client.force_login(world["counter"])
    page = reverse("backoffice:dossier", args=[submitted.pk])
    resp = client.get(page)
    html = _html(resp)
    assert resp.status_code == 200 and "Sự đồng ý khai thác kho dữ liệu của công dân" in html
    assert html.count("Chưa đồng ý") == 2 and 'name="note"' in html
    assert_vietnamese(resp, where=page)

    resp = client.post(reverse("backoffice:consent_grant", args=[submitted.pk]),
                       {"purpose": "processing", "days": "7", "note": "Đồng ý bằng lời tại quầy"}, follow=True)
    row = VaultConsent.objects.get()
    assert not row.by_applicant and row.granted_by == world["counter"] and row.note == "Đồng ý bằng lời tại quầy"
    assert row.id_number == ID and row.purpose == "processing"
    html = _html(resp)
    assert resp.redirect_chain == [(page, 302)] and "Đã ghi nhận sự đồng ý" in html
    assert "Đang có hiệu lực" in html and _date(row.expires_at) in html and "Đồng ý bằng lời tại quầy" in html
    assert_vietnamese(resp, where=page)
    grant = AuditEntry.objects.get(action="vault.consent_grant")
    assert grant.actor_id == world["counter"].pk and grant.data["by_applicant"] is False

    # the citizen sees it on their page too
    client.force_login(world["citizen"])
    assert _date(row.expires_at) in _html(client.get(reverse("portal:dossier", args=[submitted.pk])))

    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:consent_revoke", args=[submitted.pk]), {"purpose": "processing"},
                       follow=True)
    row.refresh_from_db()
    assert row.revoked_at is not None and "Đã rút lại sự đồng ý" in _html(resp)
    assert AuditEntry.objects.get(action="vault.consent_revoke").actor_id == world["counter"].pk


def test_officer_bad_days_are_refused_in_vietnamese(client, world, submitted, settings):
    settings.MOTCUA_VAULT_CONSENT_DAYS = 15
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "16"})
    assert resp.status_code == 422 and "Thời hạn đồng ý phải từ 1 đến 15 ngày." in _html(resp)
    assert _nothing_written()


def test_officer_of_another_agency_sees_no_section_and_cannot_post(client, world, submitted):
    client.force_login(world["citizen"])
    client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "3"})
    given = VaultConsent.objects.get()
    grant_url = reverse("backoffice:consent_grant", args=[submitted.pk])
    revoke_url = reverse("backoffice:consent_revoke", args=[submitted.pk])

    # an officer who may not even see the dossier: 404 everywhere
    client.force_login(world["other_counter"])
    assert client.get(reverse("backoffice:dossier", args=[submitted.pk])).status_code == 404
    assert client.post(grant_url, {"purpose": "processing", "days": "3"}).status_code == 404
    assert client.post(revoke_url, {"purpose": "prefill"}).status_code == 404

    # once the dossier went through their agency they may see it, but they do not handle it
    DossierEvent.objects.create(dossier=submitted, action="hand_over", from_status=submitted.status,
                                to_status=submitted.status, at=timezone.now(), to_agency=world["other"])
    resp = client.get(reverse("backoffice:dossier", args=[submitted.pk]))
    assert resp.status_code == 200 and 'id="kho-du-lieu"' not in _html(resp) and "Chưa đồng ý" not in _html(resp)
    resp = client.post(grant_url, {"purpose": "processing", "days": "3", "note": "giả mạo"})
    assert resp.status_code == 403 and "Chỉ công dân hoặc cán bộ của cơ quan đang giải quyết hồ sơ" in _html(resp)
    assert client.post(revoke_url, {"purpose": "prefill"}).status_code == 403
    assert list(VaultConsent.objects.all()) == [given] and active_consent(ID, "prefill", submitted) is not None
    assert AuditEntry.objects.filter(action__startswith="vault.consent").count() == 1  # the citizen's grant


def test_an_applicant_whose_number_the_e_id_has_not_proven_is_told_how_to_give_consent(client, world, submitted):
    """The number was only typed at sign-up: anyone may type a neighbour's, so no consent to read that person's
    repository is given with it (documents.consent.is_self); the page says to sign in with VNeID."""
    applicant = world["citizen"]
    applicant.verified_id_number = ""
    applicant.save(update_fields=["verified_id_number"])
    client.force_login(applicant)
    page = reverse("portal:dossier", args=[submitted.pk])
    html = _html(client.get(page))
    assert "chưa được xác thực bằng định danh điện tử (VNeID)" in html and 'name="days"' not in html
    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": "10"})
    assert resp.status_code == 403 and "vui lòng đăng nhập bằng VNeID" in _html(resp)
    assert _nothing_written()


def test_the_consent_section_reads_the_dossiers_consents_once(world, submitted, django_assert_num_queries):
    """Each purpose shows the consent in force (the one lasting longest, for the applicant's own number), else the
    latest that ended: the same as active_consent says, from one statement for the whole section."""
    from motcua.documents.consent import consent_state

    now = timezone.now()
    day = dt.timedelta(days=1)

    def consent(purpose, granted, expires, **kw):
        return VaultConsent.objects.create(id_number=kw.pop("id_number", ID), purpose=purpose, dossier=submitted,
                                           granted_at=now + granted * day, expires_at=now + expires * day, **kw)

    consent("prefill", -5, 10)
    longest = consent("prefill", -4, 20)
    consent("prefill", -1, 40, revoked_at=now)  # withdrawn: not in force
    consent("prefill", -1, 60, id_number="051190009999")  # another person's number
    ended = consent("processing", -9, -2)
    with django_assert_num_queries(1):
        rows = {row.purpose: row for row in consent_state(submitted)}
    assert rows["prefill"].active == longest == active_consent(ID, "prefill", submitted)
    assert rows["processing"].active is None is active_consent(ID, "processing", submitted)
    assert rows["processing"].last == ended
