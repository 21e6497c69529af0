"""Citizen portal pages through Django's test client: search, submission, validation, privacy, tracking."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.documents.models import Attachment
from motcua.dossiers.models import Dossier, Status
from tests.web.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def test_search_finds_procedure_without_diacritics(client, world):
    resp = client.get(reverse("portal:procedures"), {"q": "dang ky khai sinh"})
    assert resp.status_code == 200
    assert "Đăng ký khai sinh" in resp.content.decode()
    resp = client.get(reverse("portal:procedures"), {"q": "ket hon"})
    assert "Đăng ký khai sinh" not in resp.content.decode()


def test_search_by_level_filters(client, world):
    resp = client.get(reverse("portal:procedures"), {"level": "province"})
    assert "Đăng ký khai sinh" not in resp.content.decode()
    resp = client.get(reverse("portal:procedures"), {"level": "commune"})
    assert "Đăng ký khai sinh" in resp.content.decode()


def test_htmx_search_returns_only_the_results_fragment(client, world):
    resp = client.get(reverse("portal:procedures"), {"q": "khai sinh"}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="ket-qua")
    body = resp.content.decode()
    assert "Đăng ký khai sinh" in body and "<html" not in body


def test_procedure_page_shows_components_fee_and_agencies(client, world):
    proc = world["proc"]
    proc.fee_vnd = 50000
    proc.save()
    body = client.get(reverse("portal:procedure", args=[proc.code])).content.decode()
    assert "Giấy chứng sinh" in body and "50.000 đ" in body and "UBND xã Tịnh Khê" in body
    assert "3 ngày làm việc" in body


def test_submit_requires_login(client, world):
    resp = client.get(reverse("portal:submit", args=[world["proc"].code]))
    assert resp.status_code == 302 and resp["Location"].startswith("/tai-khoan/dang-nhap/")


def _submit_payload(world, **over):
    data = {"applicant_name": "Trần Thị Mai", "applicant_id_number": "051190001234",
            "applicant_phone": "0912345678", "applicant_email": "", "applicant_address": "Tịnh Khê",
            "f_child_name": "Trần Minh An", "f_birth_date": "2026-11-01", "agency": world["agency"].pk,
            "return_method": "online", "action": "submit", "idem": "abc123"}
    for comp in world["proc"].components.all():
        data[f"tp_{comp.pk}"] = SimpleUploadedFile(f"giay-to-{comp.pk}.pdf", pdf_bytes(), "application/pdf")
    data.update(over)
    return data


def test_validation_errors_are_vietnamese_and_keep_what_was_typed(client, world):
    client.force_login(world["citizen"])
    data = _submit_payload(world, applicant_id_number="12345", f_child_name="")
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), data)
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in body
    assert "Vui lòng nhập mục này." in body
    assert 'value="Tịnh Khê"' in body and 'value="12345"' in body  # nothing typed is lost
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()


def test_the_error_summary_names_each_field_to_fix_and_links_to_it(client, world):
    client.force_login(world["citizen"])
    comp = world["proc"].components.first()
    data = _submit_payload(world, f_child_name="")
    data.pop(f"tp_{comp.pk}")
    body = client.post(reverse("portal:submit", args=[world["proc"].code]), data).content.decode()
    summary = body[body.index("Vui lòng sửa các mục được đánh dấu bên dưới."):body.index("1. Người nộp hồ sơ")]
    assert '<a href="#id_f_child_name">Họ tên người được khai sinh</a>' in summary  # screens below, on a phone
    assert f'<a href="#id_tp_{comp.pk}">{comp.name}</a>' in summary
    assert 'id="id_f_child_name"' in body and f'id="id_tp_{comp.pk}"' in body


def test_files_sent_with_an_error_elsewhere_are_kept_with_a_draft_and_not_sent_again(client, world):
    # On 3G a refused form used to throw the uploaded files away: the citizen chose and sent them all again.
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    comps = list(world["proc"].components.all())
    data = _submit_payload(world, f_child_name="")  # every component's file attached, one e-form answer missing
    resp = client.post(url, data)
    body = resp.content.decode()
    assert resp.status_code == 400 and "Vui lòng nhập mục này." in body
    assert "vui lòng chọn lại tệp này" not in body and "Vui lòng đính kèm giấy tờ này." not in body
    for comp in comps:  # shown as attached, with the way to replace them
        assert f"Đã tải lên: giay-to-{comp.pk}.pdf — không cần tải lại; chọn tệp khác nếu muốn thay." in body
    draft = Dossier.objects.get(applicant=world["citizen"])
    assert draft.status == Status.DRAFT and not draft.code  # nothing submitted
    assert f'name="draft" value="{draft.pk}"' in body
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == sorted(
        f"giay-to-{c.pk}.pdf" for c in comps)

    again = _submit_payload(world, draft=draft.pk)  # the answer typed in, no file sent this time
    for comp in comps:
        again.pop(f"tp_{comp.pk}")
    resp = client.post(url, again)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.code and draft.attachments.count() == len(comps)


def test_files_sent_before_choosing_the_place_are_held_and_go_with_the_dossier(client, world):
    # The procedure is received at two communes and the citizen forgot to choose one: no draft can be kept without
    # its place (never chosen for them), yet the files they sent on 3G are not asked for again.
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    comps = list(world["proc"].components.all())
    assert world["proc"].agencies.count() > 1
    resp = client.post(url, _submit_payload(world, agency=""))
    body = resp.content.decode()
    assert resp.status_code == 400 and 'id="id_agency_error"><p class="err">Vui lòng chọn nơi nộp hồ sơ.' in body
    assert "vui lòng chọn lại tệp này" not in body and "Vui lòng đính kèm giấy tờ này." not in body
    for comp in comps:
        assert f"Đã tải lên: giay-to-{comp.pk}.pdf — không cần tải lại; chọn tệp khác nếu muốn thay." in body
    assert not Dossier.objects.exists()  # nothing written in the citizen's name at a place they did not choose

    other = Client()  # another citizen's session sees none of them
    other.force_login(world["citizen2"])
    resp = other.post(url, {k: v for k, v in _submit_payload(world).items() if not k.startswith("tp_")})
    assert resp.status_code == 400 and "Đã tải lên" not in resp.content.decode()

    again = {k: v for k, v in _submit_payload(world, agency=world["other"].pk).items() if not k.startswith("tp_")}
    resp = client.post(url, again)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    sent = Dossier.objects.get(applicant=world["citizen"])
    assert sent.status == Status.SUBMITTED and sent.agency == world["other"]
    assert sorted(sent.attachments.values_list("original_name", flat=True)) == sorted(
        f"giay-to-{c.pk}.pdf" for c in comps)


def test_a_held_file_chosen_again_is_replaced_and_held_files_go_with_the_draft_once_the_place_is_chosen(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    first, second = list(world["proc"].components.all())[:2]
    client.post(url, _submit_payload(world, agency=""))
    again = {k: v for k, v in _submit_payload(world, agency="").items() if k != f"tp_{second.pk}"}
    again[f"tp_{first.pk}"] = SimpleUploadedFile("anh-chup-lai.pdf", pdf_bytes(), "application/pdf")
    body = client.post(url, again).content.decode()
    assert "Đã tải lên: anh-chup-lai.pdf" in body and f"Đã tải lên: giay-to-{first.pk}.pdf" not in body
    assert f"Đã tải lên: giay-to-{second.pk}.pdf" in body
    # The place chosen, another field still to fix: the held files become the draft's, nothing is submitted.
    third = {k: v for k, v in _submit_payload(world, f_child_name="").items() if not k.startswith("tp_")}
    body = client.post(url, third).content.decode()
    draft = Dossier.objects.get(applicant=world["citizen"])
    assert draft.status == Status.DRAFT and draft.agency == world["agency"]
    names = dict(draft.attachments.values_list("component", "original_name"))
    assert names[first.pk] == "anh-chup-lai.pdf" and names[second.pk] == f"giay-to-{second.pk}.pdf"
    assert draft.attachments.count() == world["proc"].components.count()
    assert not Attachment.objects.filter(dossier__isnull=True, owner=world["citizen"]).exists()


def test_held_files_never_sent_are_removed_by_the_daily_sweep(client, world):
    import datetime as dt

    from motcua.documents.orphans import sweep
    from motcua.documents.storage import document_storage

    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    client.post(url, _submit_payload(world, agency=""))
    held = list(Attachment.objects.filter(dossier__isnull=True, owner=world["citizen"]))
    assert held and all(document_storage().exists(a.storage_path) for a in held)
    assert sweep(older_than=dt.timedelta(hours=1), apply=True).held_expired == 0  # young: kept
    later = timezone.now() + dt.timedelta(days=2)
    result = sweep(older_than=dt.timedelta(hours=1), apply=True, now=later)
    assert result.held_expired == len(held)
    assert not Attachment.objects.filter(pk__in=[a.pk for a in held]).exists()
    assert not any(document_storage().exists(a.storage_path) for a in held)


def test_a_file_chosen_again_replaces_the_one_kept_with_the_draft(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    comp = world["proc"].components.first()
    client.post(url, _submit_payload(world, f_child_name=""))
    draft = Dossier.objects.get(applicant=world["citizen"], status=Status.DRAFT)
    again = _submit_payload(world, draft=draft.pk)
    again[f"tp_{comp.pk}"] = SimpleUploadedFile("anh-chup-lai.pdf", pdf_bytes(), "application/pdf")
    assert client.post(url, again).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert list(draft.attachments.filter(component=comp).values_list("original_name", flat=True)) == [
        "anh-chup-lai.pdf"]
    assert draft.attachments.count() == world["proc"].components.count()


@pytest.mark.parametrize("refused", ["type", "size"])
def test_a_file_that_fails_its_checks_is_not_kept_and_is_asked_for_again(client, world, settings, refused):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    bad, good = list(world["proc"].components.all())[:2]
    data = _submit_payload(world, f_child_name="")
    if refused == "type":
        data[f"tp_{bad.pk}"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    else:
        settings.MOTCUA_MAX_UPLOAD_BYTES = len(pdf_bytes()) + 10
        data[f"tp_{bad.pk}"] = SimpleUploadedFile("qua-lon.pdf", pdf_bytes() + b" " * 100, "application/pdf")
    body = client.post(url, data).content.decode()
    draft = Dossier.objects.get(applicant=world["citizen"], status=Status.DRAFT)
    assert list(draft.attachments.values_list("component", flat=True)) == [good.pk]  # only the file that passed
    assert f"Đã tải lên: giay-to-{good.pk}.pdf" in body and "Đã tải lên: virus.pdf" not in body
    again = _submit_payload(world, draft=draft.pk)
    again.pop(f"tp_{bad.pk}"), again.pop(f"tp_{good.pk}")
    resp = client.post(url, again)
    assert resp.status_code == 400 and "Vui lòng đính kèm giấy tờ này." in resp.content.decode()
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()


def test_missing_attachment_is_reported_next_to_the_component(client, world):
    client.force_login(world["citizen"])
    comp = world["proc"].components.first()
    data = _submit_payload(world)
    data.pop(f"tp_{comp.pk}")
    body = client.post(reverse("portal:submit", args=[world["proc"].code]), data).content.decode()
    assert "Vui lòng đính kèm giấy tờ này." in body


def test_submit_online_then_listed_with_status(client, world):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    dossier = Dossier.objects.get(applicant=world["citizen"])
    assert dossier.status == Status.SUBMITTED and dossier.code
    assert dossier.form_data["child_name"] == "Trần Minh An"
    body = client.get(reverse("portal:my_dossiers")).content.decode()
    assert dossier.code in body and "Chờ tiếp nhận" in body
    detail = client.get(reverse("portal:dossier", args=[dossier.pk])).content.decode()
    comp = world["proc"].components.first()
    assert f"giay-to-{comp.pk}.pdf" in detail  # attachments stored and listed
    assert dossier.attachments.count() == 2


def test_the_place_of_the_last_dossier_is_chosen_already(client, world):
    import lxml.html

    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])

    def chosen():
        page = lxml.html.fromstring(client.get(url).content)
        return [v for v in page.xpath("//select[@name='agency']/option[@selected]/@value") if v]

    assert chosen() == []  # a first dossier: the citizen chooses among the communes
    data = _submit_payload(world)
    data["agency"] = world["other"].pk
    assert client.post(url, data).status_code == 302
    assert chosen() == [str(world["other"].pk)]  # the next one starts where the last one went
    assert "Đã chọn sẵn nơi bạn nộp hồ sơ lần trước" in client.get(url).content.decode()


def test_a_fake_pdf_is_refused_next_to_its_field(client, world):
    client.force_login(world["citizen"])
    comp = world["proc"].components.first()
    data = _submit_payload(world)
    data[f"tp_{comp.pk}"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]), data)
    assert resp.status_code == 400 and "Định dạng tệp không được chấp nhận" in resp.content.decode()
    assert not Dossier.objects.filter(applicant=world["citizen"]).exclude(status=Status.DRAFT).exists()
    assert not Attachment.objects.filter(original_name="virus.pdf").exists()


def test_double_submit_creates_one_dossier(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    client.post(url, _submit_payload(world))
    client.post(url, _submit_payload(world))
    assert Dossier.objects.filter(applicant=world["citizen"]).count() == 1


def test_save_draft_and_come_back(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    resp = client.post(url, {"applicant_name": "Trần Thị Mai", "f_child_name": "Bé Na", "agency": world["agency"].pk,
                             "action": "draft", "return_method": "online"})
    assert resp.status_code == 302 and "nhap=" in resp["Location"]
    draft = Dossier.objects.get(applicant=world["citizen"], status=Status.DRAFT)
    body = client.get(resp["Location"]).content.decode()
    assert 'value="Bé Na"' in body
    assert client.get(f"{url}?nhap={draft.pk}").status_code == 200
    client.force_login(world["citizen2"])
    assert client.get(f"{url}?nhap={draft.pk}").status_code == 404


@pytest.mark.parametrize("draft", ["2026-13-45", "²", "1e400", "99999999999999999999", "-1"])
def test_a_draft_number_that_names_no_draft_is_a_404_page(client, world, draft):
    # ?nhap= (the link back to a draft) and the form's hidden "draft": a value that is no id used to be a 500.
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    resp = client.get(url, {"nhap": draft})
    assert resp.status_code == 404 and "Không tìm thấy trang" in resp.content.decode()
    resp = client.post(url, {"applicant_name": "Trần Thị Mai", "agency": world["agency"].pk, "action": "draft",
                             "draft": draft, "return_method": "online"})
    assert resp.status_code == 404 and "Không tìm thấy trang" in resp.content.decode()
    assert not Dossier.objects.filter(applicant=world["citizen"]).exists()


def test_citizen_cannot_see_someone_elses_dossier(client, world, submitted):
    client.force_login(world["citizen2"])
    assert client.get(reverse("portal:dossier", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("portal:dossier_slip", args=[submitted.pk, "receipt", "pdf"])).status_code == 404
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:dossier", args=[submitted.pk])).status_code == 200


def test_public_tracking_needs_the_right_four_digits(client, world, submitted):
    cache.clear()
    url = reverse("portal:track")
    resp = client.post(url, {"code": submitted.code, "secret": "1234"})
    assert resp.status_code == 200 and "Chờ tiếp nhận" in resp.content.decode()
    assert resp["Cache-Control"] == "no-store"
    resp = client.post(url, {"code": submitted.code.lower(), "secret": "5678"})  # phone ends 5678
    assert resp.status_code == 200
    resp = client.post(url, {"code": submitted.code, "secret": "0000"})
    assert resp.status_code == 404 and "Không tìm thấy hồ sơ" in resp.content.decode()
    assert "Trần Thị Mai" not in resp.content.decode()


def test_tracking_form_posts_so_the_digits_stay_out_of_urls(client, world, submitted):
    cache.clear()
    url = reverse("portal:track")
    for page_url in (url, reverse("portal:home")):
        body = client.get(page_url).content.decode()
        form = re.search(r'<form[^>]*action="/tra-cuu/"[^>]*>', body).group(0)
        assert 'method="post"' in form and "csrfmiddlewaretoken" in body
    # an old bookmarked GET link with the digits looks nothing up
    resp = client.get(url, {"code": submitted.code, "secret": "1234"})
    assert resp.status_code == 200 and "Chờ tiếp nhận" not in resp.content.decode()
    # a POST without the CSRF token is refused
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"code": submitted.code, "secret": "1234"}).status_code == 403
    page = strict.get(url)
    token = page.cookies["csrftoken"].value
    resp = strict.post(url, {"code": submitted.code, "secret": "1234", "csrfmiddlewaretoken": token})
    assert resp.status_code == 200 and "Chờ tiếp nhận" in resp.content.decode()
    assert len(resp.content) < 50 * 1024  # page budget: 50 KB


def test_tracking_brute_force_is_throttled(client, world, submitted):
    cache.clear()
    url = reverse("portal:track")
    for i in range(10):
        client.post(url, {"code": submitted.code, "secret": f"{i:04d}"})
    resp = client.post(url, {"code": submitted.code, "secret": "1234"})  # right answer, too late
    assert resp.status_code == 429 and "quá nhiều lần" in resp.content.decode()
    cache.clear()


def test_tracking_limit_counts_each_visitor_behind_the_proxy(world, submitted, settings):
    """Behind nginx every request comes from the proxy's address: the limit counts the visitor's address the
    proxy appended (the same function as the sign-in lockout), so one guesser does not lock out the commune."""
    settings.MOTCUA_PROXY_COUNT = 1
    url = reverse("portal:track")
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for i in range(10):  # unknown codes: only the per-address counter grows
        guesser.post(url, {"code": f"H51-260101-{i:04d}", "secret": "0000"})
    assert guesser.post(url, {"code": submitted.code, "secret": "1234"}).status_code == 429
    neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
    resp = neighbour.post(url, {"code": submitted.code, "secret": "1234"})
    assert resp.status_code == 200 and "Chờ tiếp nhận" in resp.content.decode()


@pytest.mark.parametrize("code", ["THÀNH PHỐ", "X\x95\x81ΜJ\x1cÞ\x0bU", "H51.02-261201-0001 ", "%" * 64])
def test_a_code_typed_with_any_characters_is_counted_under_a_key_every_cache_takes(code):
    """A look-up's code is what the visitor typed: a space, a control character or a letter outside ASCII in the key
    of its counters made memcached (a cache this installation may be given) refuse it, a 500 instead of «không tìm
    thấy». The keys hold none; the same code, typed in lower case, counts under the same key."""
    from django.core.cache.backends.base import memcache_key_warnings

    from motcua.accounts import lockout

    for kind in ("dossier", "feedback"):
        for scope in ("code", "day"):
            key = lockout.lookup_key(kind, scope, code)
            assert list(memcache_key_warnings(f":1:{key}")) == []
            assert key == lockout.lookup_key(kind, scope, code.lower())


def test_guesses_of_one_code_from_many_addresses_stop_for_the_day(world, submitted, settings):
    """Ten wrong guesses per address and per code every 15 minutes let a patient guesser spread over many addresses
    try 960 of the 10.000 four-digit endings a day; a code guessed wrong 30 times in a day stops being trackable
    publicly for the day, whichever address asks (its applicant signs in to the portal instead)."""
    from motcua.accounts import lockout

    cache.clear()
    url = reverse("portal:track")
    for n in range(30):
        guesser = Client(REMOTE_ADDR=f"198.51.100.{n}")
        assert guesser.post(url, {"code": submitted.code, "secret": f"{n:04d}"}).status_code == 404
        if n % 10 == 9:  # the 15 minutes of the per-code counter pass
            cache.delete(lockout.lookup_key("dossier", "code", submitted.code))
    resp = Client(REMOTE_ADDR="203.0.113.99").post(url, {"code": submitted.code, "secret": "1234"})  # the right one
    assert resp.status_code == 429 and lockout.LOOKUP_DAILY_MESSAGE in resp.content.decode()
    assert "Chờ tiếp nhận" not in resp.content.decode()
    cache.clear()


def test_signup_errors_in_vietnamese_and_success_logs_in(client, world):
    url = reverse("portal:signup")
    resp = client.post(url, {"full_name": "Phạm Hoa", "id_number": "12", "phone": "0987654321",
                             "username": "phamhoa", "password": "matkhau-rat-dai", "password2": "khac"})
    body = resp.content.decode()
    assert resp.status_code == 400 and "Hai mật khẩu không khớp." in body and 'value="Phạm Hoa"' in body
    resp = client.post(url, {"full_name": "Phạm Hoa", "id_number": "051195009999", "phone": "0987654321",
                             "username": "phamhoa", "password": "matkhau-rat-dai", "password2": "matkhau-rat-dai"})
    assert resp.status_code == 302
    assert client.get(reverse("portal:my_dossiers")).status_code == 200


def test_login_by_id_number_and_wrong_password(client, world):
    url = reverse("portal:login")
    resp = client.post(url, {"username": "congdan1", "password": "sai"})
    assert resp.status_code == 400 and "không đúng" in resp.content.decode()
    resp = client.post(url, {"username": "051190001234", "password": "matkhau-123"})
    assert resp.status_code == 302


def test_signing_in_by_id_number_finds_the_account_the_e_id_vouched_for(client, world):
    """Two accounts carry one ID number (an officer's, older, and the citizen account its holder proved with VNeID):
    signing in by the number reaches the proven one, not whichever the database returns first."""
    from tests.factories import citizen, officer

    officer("specialist", world["agency"], username="canbo.lan", id_number="051190007777", verified_id_number="")
    proven = citizen(username="lan.congdan", id_number="051190007777", verified_id_number="051190007777")
    resp = client.post(reverse("portal:login"), {"username": "051190007777", "password": "matkhau-123"})
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(proven.pk)


def test_home_page_renders(client, world):
    resp = client.get("/")
    assert resp.status_code == 200 and "Tra cứu hồ sơ" in resp.content.decode()


def test_feedback_is_received_with_a_code(client, world):
    resp = client.post(reverse("portal:feedback"), {
        "name": "Võ Thị Lan", "phone": "0905123456", "classification": "regulation", "title": "Thời gian chờ",
        "content": "Thủ tục khai sinh nên cho nộp hoàn toàn trực tuyến."}, follow=True)
    assert resp.status_code == 200
    assert "Đã gửi phản ánh, kiến nghị số" in resp.content.decode()
    resp = client.post(reverse("portal:feedback"), {"name": "", "phone": "0905123456", "classification": "regulation",
                                                    "title": "A", "content": "Nội dung đủ dài để gửi."})
    assert resp.status_code == 400 and "Vui lòng nhập mục này." in resp.content.decode()


def test_citizen_provides_the_supplement_online(client, world, submitted):
    from motcua.dossiers import lifecycle

    lifecycle.request_supplement(submitted, officer=world["counter"], items=["Giấy chứng sinh"], reason="Bản mờ")
    client.force_login(world["citizen"])
    url = reverse("portal:supplement", args=[submitted.pk])
    resp = client.post(url, {"note": ""}, follow=True)
    assert "Vui lòng đính kèm ít nhất một tệp." in resp.content.decode()
    resp = client.post(url, {"files": SimpleUploadedFile("ban-ro.pdf", pdf_bytes(), "application/pdf")}, follow=True)
    assert "Đã gửi hồ sơ bổ sung." in resp.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.attachments.filter(original_name="ban-ro.pdf").exists()


def test_citizen_withdraws_with_a_reason(client, world, submitted):
    client.force_login(world["citizen"])
    url = reverse("portal:withdraw", args=[submitted.pk])
    resp = client.post(url, {"reason": ""}, follow=True)
    assert "Vui lòng nêu lý do rút hồ sơ." in resp.content.decode()
    client.post(url, {"reason": "Nộp nhầm thủ tục"})
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN
    client.force_login(world["citizen2"])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_an_unbound_eform_field_is_checked_like_any_other(client, world):
    proc = world["proc"]
    proc.form_schema = [*proc.form_schema,
                        {"name": "dien_thoai", "label": "Điện thoại người làm chứng", "type": "tel", "required": True}]
    proc.save()
    client.force_login(world["citizen"])
    body = client.get(reverse("portal:submit", args=[proc.code])).content.decode()
    tag = re.search(r'<input[^>]*name="f_dien_thoai"[^>]*>', body).group(0)
    assert "value=" not in tag  # not the applicant's: nothing bound, nothing guessed
    data = _submit_payload(world, f_dien_thoai="12ab")
    resp = client.post(reverse("portal:submit", args=[proc.code]), data)
    assert resp.status_code == 400 and "Số điện thoại không hợp lệ." in resp.content.decode()


def test_the_receipt_pdf_opens_in_the_browser_under_its_vietnamese_name_and_the_docx_downloads(client, world,
                                                                                                 submitted):
    from urllib.parse import quote

    from motcua.dossiers import lifecycle

    lifecycle.receive(submitted, officer=world["counter"])
    client.force_login(world["citizen"])
    resp = client.get(reverse("portal:dossier_slip", args=[submitted.pk, "receipt", "pdf"]))
    assert resp.status_code == 200 and resp.content[:5] == b"%PDF-" and resp["Content-Type"] == "application/pdf"
    name = f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {submitted.code}"
    assert resp["Content-Disposition"] == f"inline; filename*=utf-8''{quote(name)}.pdf"  # the viewer, to print
    assert resp["X-Content-Type-Options"] == "nosniff"
    resp = client.get(reverse("portal:dossier_slip", args=[submitted.pk, "receipt", "docx"]))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert resp["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}.docx"  # Word: a download
    assert client.get(reverse("portal:dossier_slip", args=[submitted.pk, "refusal", "pdf"])).status_code == 404


def test_an_uploaded_pdf_opens_in_the_browser_and_any_other_file_downloads(client, world, submitted):
    from urllib.parse import quote

    from motcua.documents.attachments import store_upload
    from tests.documents.conftest import make_png

    pdf = store_upload(pdf_bytes(), owner=world["citizen"], dossier=submitted, name="Giấy chứng sinh.pdf")
    png = store_upload(make_png(), owner=world["citizen"], dossier=submitted, name="ảnh <script>.svg.html")
    client.force_login(world["citizen"])
    resp = client.get(reverse("portal:attachment", args=[submitted.pk, pdf.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"] == f"inline; filename*=utf-8''{quote('Giấy chứng sinh.pdf')}"
    assert resp["X-Content-Type-Options"] == "nosniff"
    resp = client.get(reverse("portal:attachment", args=[submitted.pk, png.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png"  # the type read from the bytes
    assert resp["Content-Disposition"].startswith("attachment; ")  # whatever its name says
    assert resp["X-Content-Type-Options"] == "nosniff"


def test_a_document_from_the_citizens_repository_is_reused_instead_of_uploaded(client, world):
    from motcua.documents.attachments import store_upload
    from motcua.documents.vault import add_to_vault

    comp = world["proc"].components.get(name="Giấy chứng sinh")
    att = store_upload(pdf_bytes(), owner=world["citizen"], name="giay-chung-sinh-cu.pdf")
    item = add_to_vault(att, id_number="051190001234", kind="component", title="Giấy chứng sinh")
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    assert "Dùng lại giấy tờ đã có trong kho dữ liệu" in client.get(url).content.decode()
    data = _submit_payload(world)
    data.pop(f"tp_{comp.pk}")
    data[f"kho_{comp.pk}"] = str(item.pk)
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    dossier = Dossier.objects.get(applicant=world["citizen"])
    reused = dossier.attachments.get(component=comp)
    assert reused.reused and reused.reused_from == att
    client.force_login(world["citizen2"])  # someone else's repository is not offered
    assert "Dùng lại giấy tờ" not in client.get(url).content.decode()


def test_a_rating_without_the_overall_answer_keeps_what_was_given_and_says_what_is_missing(client, world, submitted):
    from motcua.dossiers import lifecycle
    from motcua.engagement.models import RatingCriterion, SatisfactionRating

    lifecycle.refuse(submitted, officer=world["counter"], reason="Không thuộc thẩm quyền của xã")
    crit = RatingCriterion.objects.filter(is_active=True).first()
    client.force_login(world["citizen"])
    url = reverse("portal:rate", args=[submitted.pk])
    page = client.get(reverse("portal:dossier", args=[submitted.pk])).content.decode()
    assert f'<form method="post" action="{url}" novalidate>' in page  # our message, not the browser's (in English)
    resp = client.post(url, {"comment": "Phải đi lại hai lần", f"c_{crit.code}": "0"})
    body = resp.content.decode()
    assert resp.status_code == 400 and not SatisfactionRating.objects.exists()
    assert '<p class="err">Vui lòng chọn mức độ hài lòng.</p>' in body
    assert "Phải đi lại hai lần</textarea>" in body  # the comment is still there
    assert re.search(rf'name="c_{crit.code}" value="0"[^>]*checked', body)
