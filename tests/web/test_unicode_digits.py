"""Only ASCII digits are digits: "²", Arabic-Indic "١٢" and full-width "１２" pass str.isdigit() (and int() reads the
last two as 12), so each place that takes typed digits refuses them with its own Vietnamese message instead of a 500
or a number that is not the one shown (motcua.core.digits)."""

import datetime as dt

import pyotp
import pytest
from django.core.cache import cache
from django.urls import reverse

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, Status
from tests.factories import enrol_2fa
from tests.web.test_portal import _submit_payload

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("code", ["１２３４５６", "١٢٣٤٥٦", "²²²²²²"])
def test_an_officer_typing_the_code_in_other_digits_is_told_it_is_wrong_not_a_500(client, world, real_2fa, code):
    secret = enrol_2fa(world["leader"])
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:twofa_verify"), {"code": code, "next": "/can-bo/bang-dieu-khien/"})
    assert resp.status_code == 422 and "Mã xác thực không đúng" in resp.content.decode()
    # the right code, in full-width digits, is not the code either
    resp = client.post(reverse("backoffice:twofa_verify"), {"code": pyotp.TOTP(secret).now().translate(FULL_WIDTH)})
    assert resp.status_code == 422


@pytest.mark.parametrize("secret", ["١٢٣٤", "１２３４", "²³¹⁴"])
def test_tracking_with_four_digits_of_another_script_asks_for_four_digits(client, world, submitted, secret):
    cache.clear()
    resp = client.post(reverse("portal:track"), {"code": submitted.code, "secret": secret})
    body = resp.content.decode()
    assert resp.status_code == 400 and "Nhập đúng 4 chữ số." in body and "Không tìm thấy hồ sơ" not in body
    cache.clear()


@pytest.mark.parametrize("table", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_signup_refuses_an_id_number_or_phone_in_other_digits(client, world, table):
    base = {"full_name": "Phạm Hoa", "id_number": "051195009999", "phone": "0987654321", "username": "phamhoa",
            "password": "matkhau-rat-dai", "password2": "matkhau-rat-dai"}
    resp = client.post(reverse("portal:signup"), {**base, "id_number": base["id_number"].translate(table)})
    assert resp.status_code == 400 and "Số định danh cá nhân phải gồm đúng 12 chữ số." in resp.content.decode()
    resp = client.post(reverse("portal:signup"), {**base, "phone": base["phone"].translate(table)})
    assert resp.status_code == 400 and "Số điện thoại không hợp lệ" in resp.content.decode()
    assert not User.objects.filter(username="phamhoa").exists()


def test_a_dossier_with_the_applicant_numbers_in_full_width_digits_is_refused_and_not_saved(client, world):
    client.force_login(world["citizen"])
    data = _submit_payload(world, applicant_id_number="051190001234".translate(FULL_WIDTH),
                           applicant_phone="0912345678".translate(FULL_WIDTH))
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), data)
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in body and "Số điện thoại không hợp lệ." in body
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()



def test_a_draft_number_of_thousands_of_digits_names_no_draft_not_a_500(client, world):
    # int() refuses a string of more than 4,300 digits (ValueError): whole_number says "not a number" first
    client.force_login(world["citizen"])
    data = _submit_payload(world, draft="1" * 5000)
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), data)
    assert resp.status_code == 404
    assert not Dossier.objects.exists()


# Django's IntegerField and DecimalField read "１０", "١٠" and "1_0" as 10: the project's WholeNumberField and
# NumberField (motcua.web.forms) refuse them with the field's own message.
OTHER_NUMBERS = ["１０", "١٠", "1_0"]


@pytest.mark.parametrize("days", OTHER_NUMBERS)
def test_an_extension_of_days_in_other_digits_is_a_form_error(client, world, submitted, days):
    from motcua.dossiers import lifecycle

    lifecycle.start_processing(lifecycle.receive(submitted, officer=world["counter"]), officer=world["counter"])
    due = Dossier.objects.get(pk=submitted.pk).due_at
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "extend"]), {"days": days, "reason": "x"})
    assert resp.status_code == 400 and "Vui lòng nhập một số." in resp.content.decode()
    assert Dossier.objects.get(pk=submitted.pk).due_at == due


@pytest.mark.parametrize("days", OTHER_NUMBERS)
def test_consent_days_in_other_digits_are_refused(client, world, submitted, days):
    from motcua.documents.models import VaultConsent

    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:consent_grant", args=[submitted.pk]), {"purpose": "prefill", "days": days})
    assert resp.status_code in (400, 422) and "Số ngày phải là một số nguyên." in resp.content.decode()
    assert not VaultConsent.objects.exists()


@pytest.mark.parametrize("area", OTHER_NUMBERS)
def test_a_number_in_a_procedures_form_typed_in_other_digits_is_refused(client, world, area):
    proc = world["proc"]
    proc.form_schema = [*proc.form_schema, {"name": "area", "label": "Diện tích (m²)", "type": "number"}]
    proc.save(update_fields=["form_schema"])
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[proc.code]), _submit_payload(world, f_area=area))
    assert resp.status_code == 400 and "Vui lòng nhập một số." in resp.content.decode()
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()


# Django's DateField reads dates through strptime(), which takes any script's digits: "01/11/٢٠٢٦" was stored as
# 01/11/2026 (its day and month take 0–9 only, its year any digits). The project's DateField (motcua.web.forms)
# refuses them with the field's own message.
OTHER_DATES = ["01/11/٢٠٢٦", "٢٠٢٦-11-01", "01/11/２０２６"]


@pytest.mark.parametrize("birth_date", OTHER_DATES)
def test_a_date_in_a_procedures_form_typed_in_other_digits_is_refused(client, world, birth_date):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world, f_birth_date=birth_date))
    assert resp.status_code == 400 and "Ngày không hợp lệ (dd/mm/yyyy)." in resp.content.decode()
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()


@pytest.mark.parametrize("table", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_an_apology_date_in_other_digits_is_a_form_error(client, world, submitted, table):
    from motcua.dossiers import lifecycle

    lifecycle.start_processing(lifecycle.receive(submitted, officer=world["counter"]), officer=world["counter"])
    new_due = Dossier.objects.get(pk=submitted.pk).due_at.date() + dt.timedelta(days=7)
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "issue_apology"]),
                       {"new_due": f"{new_due:%d/%m/}{str(new_due.year).translate(table)}", "reason": "Chờ xác minh"})
    assert resp.status_code == 400 and "Ngày không hợp lệ (dd/mm/yyyy)." in resp.content.decode()
    assert Dossier.objects.get(pk=submitted.pk).apology_count == 0
