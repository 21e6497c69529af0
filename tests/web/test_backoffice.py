"""Back office through Django's test client: scoping by agency, the full processing chain, walk-in, errors."""

import pytest
from django.urls import reverse

from motcua.documents.models import VaultItem
from motcua.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db


def test_citizen_cannot_open_the_back_office(client, world):
    client.force_login(world["citizen"])
    assert client.get(reverse("backoffice:queue")).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    resp = client.get(reverse("backoffice:queue"))
    assert resp.status_code == 302 and "/tai-khoan/dang-nhap/" in resp["Location"]


def test_officer_of_another_commune_gets_404(client, world, submitted):
    client.force_login(world["other_counter"])
    assert client.get(reverse("backoffice:dossier", args=[submitted.pk])).status_code == 404
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "receive"]))
    assert resp.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.code not in client.get(reverse("backoffice:queue")).content.decode()


def test_queue_lists_online_dossiers_to_check(client, world, submitted):
    client.force_login(world["counter"])
    body = client.get(reverse("backoffice:queue")).content.decode()
    assert submitted.code in body and "Trần Thị Mai" in body


def test_officer_view_is_audited(client, world, submitted):
    from motcua.audit.models import AuditEntry

    client.force_login(world["counter"])
    client.get(reverse("backoffice:dossier", args=[submitted.pk]))
    assert AuditEntry.objects.filter(action="personal_data.read", object_id=str(submitted.pk)).exists()


def _act(client, dossier, action, data=None):
    return client.post(reverse("backoffice:action", args=[dossier.pk, action]), data or {})


def test_receiving_an_online_dossier_does_not_ask_to_print_the_slip(client, world, submitted):
    client.force_login(world["counter"])
    done = client.post(reverse("backoffice:action", args=[submitted.pk, "receive"]), follow=True).content.decode()
    assert "Người nộp xem và tải Giấy tiếp nhận và hẹn trả kết quả trên trang hồ sơ" in done
    assert "in Giấy tiếp nhận" not in done  # the applicant is not at the counter
    client.force_login(world["citizen"])  # and the slip is on their page
    page = client.get(reverse("portal:dossier", args=[submitted.pk])).content.decode()
    assert reverse("portal:dossier_slip", args=[submitted.pk, "receipt", "pdf"]) in page


def test_full_chain_receive_process_approve_sign_return(client, world, submitted):
    d = submitted
    client.force_login(world["counter"])
    assert _act(client, d, "receive").status_code == 302
    assert _act(client, d, "start_processing", {"note": ""}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    client.force_login(world["specialist"])
    inbox = client.get(reverse("backoffice:inbox")).content.decode()
    assert d.code in inbox
    assert _act(client, d, "complete_step", {"note": "Đủ điều kiện"}).status_code == 302
    client.force_login(world["leader"])
    assert d.code in client.get(reverse("backoffice:inbox")).content.decode()
    assert _act(client, d, "approve", {"summary": "Cấp Giấy khai sinh"}).status_code == 302
    assert _act(client, d, "sign_result", {"electronic": "on"}).status_code == 302  # no file: a paper result
    d.refresh_from_db()
    assert not d.result_electronic  # an old form's tick box claims nothing (Decision 766 indicator 4.1)
    client.force_login(world["counter"])
    # a paper result is collected at the counter (online needs an electronic one: tests/web/test_online_return.py)
    assert _act(client, d, "return_result", {"method": "counter"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.result_summary == "Cấp Giấy khai sinh"
    client.force_login(world["citizen"])
    body = client.get(reverse("portal:dossier", args=[d.pk])).content.decode()
    assert "Đã trả kết quả" in body and "Đánh giá mức độ hài lòng" in body
    assert "Cấp Giấy khai sinh" in client.get(reverse("portal:dossier_result", args=[d.pk])).content.decode()
    resp = client.post(reverse("portal:rate", args=[d.pk]), {"satisfied": "1", "comment": "Nhanh"}, follow=True)
    assert "Cảm ơn bạn đã đánh giá" in resp.content.decode()
    assert d.rating.satisfied is True
    resp = client.post(reverse("portal:rate", args=[d.pk]), {"satisfied": "0"}, follow=True)
    assert "đã được đánh giá" in resp.content.decode()  # once only, said in Vietnamese


def test_domain_error_is_a_message_not_a_500(client, world, submitted):
    client.force_login(world["counter"])
    _act(client, submitted, "receive")
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "receive"]))
    assert resp.status_code == 409  # InvalidTransition, shown on the dossier page
    body = resp.content.decode()
    assert 'class="error"' in body and "Đã tiếp nhận" in body


def test_refuse_requires_a_reason_shown_next_to_the_field(client, world, submitted):
    client.force_login(world["counter"])
    resp = _act(client, submitted, "refuse", {"reason": ""})
    assert resp.status_code == 400 and "Vui lòng nêu rõ lý do." in resp.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert _act(client, submitted, "refuse", {"reason": "Không thuộc thẩm quyền"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REFUSED


def test_supplement_request_lists_components(client, world, submitted):
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossier", args=[submitted.pk])).content.decode()
    assert "Giấy chứng sinh" in page
    resp = _act(client, submitted, "request_supplement", {"items": ["Giấy chứng sinh"], "reason": "Bản chụp mờ"})
    assert resp.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SUPPLEMENT_REQUESTED
    client.force_login(world["citizen"])
    body = client.get(reverse("portal:dossier", args=[submitted.pk])).content.decode()
    assert "Giấy chứng sinh" in body and "Gửi bổ sung" in body


def test_walk_in_checklist_and_receipt(client, world):
    client.force_login(world["counter"])
    url = reverse("backoffice:walk_in")
    assert "Đăng ký khai sinh" in client.get(url, {"q": "khai sinh"}).content.decode()
    comps = list(world["proc"].components.all())
    data = {"thu_tuc": world["proc"].code, "applicant_name": "Nguyễn Văn Hùng", "applicant_id_number": "051080001111",
            "applicant_phone": "0905111222", "f_child_name": "Nguyễn Bảo", "f_birth_date": "01/11/2026",
            "agency": world["agency"].pk, "channel": "counter", "return_method": "counter",
            "idem": "w1", f"tp_{comps[0].pk}": "on"}
    resp = client.post(url, data)
    assert resp.status_code == 400 and "Hồ sơ chưa đủ thành phần bắt buộc" in resp.content.decode()
    assert 'value="Nguyễn Văn Hùng"' in resp.content.decode()
    data[f"tp_{comps[1].pk}"] = "on"
    resp = client.post(url, data)
    assert resp.status_code == 302
    d = Dossier.objects.get(applicant_id_number="051080001111")
    assert d.status == Status.RECEIVED and d.channel == "counter" and d.due_at
    assert d.slips.filter(kind="receipt").exists()
    # The applicant waits at the counter: the receipt opens in the browser's PDF viewer, to print, not in Downloads,
    # in a tab of its own (the dossier stays open behind it).
    page = client.get(resp["Location"]).content.decode()
    url = reverse("backoffice:slip", args=[d.pk, "receipt", "pdf"])
    assert (f'<a class="btn" href="{url}" target="_blank" rel="noopener">In Giấy tiếp nhận và hẹn trả kết quả</a>'
            in page)
    slip = client.get(url)
    assert slip.status_code == 200 and slip.content[:5] == b"%PDF-" and slip["X-Content-Type-Options"] == "nosniff"
    assert slip["Content-Disposition"].startswith("inline; filename*=utf-8''Gi%E1%BA%A5y%20ti%E1%BA%BFp%20nh%E1%BA%ADn")
    assert slip["Content-Disposition"].endswith(f"{d.code}.pdf")
    sheet = client.get(reverse("backoffice:slip", args=[d.pk, "control_sheet", "pdf"]))
    assert sheet["Content-Disposition"].startswith("inline; filename*=utf-8''Phi%E1%BA%BFu%20ki%E1%BB%83m%20so%C3%A1t")


def test_a_walk_in_with_fields_left_empty_says_so_as_every_form_does(client, world):
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:walk_in"), {"thu_tuc": world["proc"].code, "idem": "w2"})
    body = resp.content.decode()
    assert resp.status_code == 400 and "Vui lòng nhập mục này." in body
    assert "Trường này là bắt buộc" not in body and "This field is required" not in body


def test_person_lookup_fills_known_person(client, world):
    client.force_login(world["counter"])
    body = client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051190001234"}).content.decode()
    assert "Trần Thị Mai" in body
    client.force_login(world["specialist"])  # only the counter looks people up
    assert client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051190001234"}).status_code == 403


def test_the_counter_looks_a_person_up_without_the_id_number_in_a_url(client, world):
    """The number is posted, not put in the address: addresses end up in access logs and proxies."""
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:walk_in"), {"thu_tuc": world["proc"].code}).content.decode()
    lookup = reverse("backoffice:person_lookup")
    assert f'hx-post="{lookup}" hx-params="applicant_id_number"' in page and f'hx-get="{lookup}"' not in page
    assert client.get(lookup, {"applicant_id_number": "051190001234"}).status_code == 405


def test_dashboard_counts_and_chart(client, world, submitted):
    from motcua.dossiers import lifecycle

    lifecycle.receive(submitted, officer=world["counter"], digitized=True)
    client.force_login(world["leader"])
    body = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "<svg" in body and "Tiếp nhận hôm nay" in body
    assert "Tiếp nhận: tổng 1" in body


def _processing(world, days="10"):
    from motcua.dossiers import lifecycle

    proc = world["proc"]
    proc.processing_days = days
    proc.save()
    d = lifecycle.receive_at_counter(officer=world["counter"], procedure=proc, agency=world["agency"],
                                     applicant_data={"name": "Hà Văn Tâm", "id_number": "051085001111"},
                                     form_data={"child_name": "Hà An", "birth_date": "2026-10-10"})
    return lifecycle.start_processing(d, officer=world["counter"])


def test_leader_signs_an_apology_slip_with_a_new_date(client, world):
    import datetime as dt

    d = _processing(world)
    client.force_login(world["specialist"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Xin lỗi, hẹn lại ngày trả" not in page  # only the leader may sign it
    client.force_login(world["leader"])
    new_due = (d.due_at + dt.timedelta(days=7)).date()
    resp = _act(client, d, "issue_apology", {"reason": "Chờ xác minh của cơ quan khác", "new_due": new_due.isoformat()})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.apology_count == 1 and d.slips.filter(kind="apology").exists()
    body = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in body and new_due.strftime("%d/%m/%Y") in body


def test_an_apology_is_due_at_the_end_of_the_chosen_days_office_hours(client, world, settings):
    """An installation whose counters close at 16:30: the new appointment is 16:30 of the chosen day, not 17:00."""
    import datetime as dt

    from motcua.core.calendar import TZ

    settings.MOTCUA_WORKING_SESSIONS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(16, 30)))
    d = _processing(world)
    client.force_login(world["leader"])
    new_due = (d.due_at + dt.timedelta(days=7)).date()
    resp = _act(client, d, "issue_apology", {"reason": "Chờ xác minh của cơ quan khác", "new_due": new_due.isoformat()})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.due_at.astimezone(TZ) == dt.datetime.combine(new_due, dt.time(16, 30), TZ)


def test_inter_agency_hand_over_reaches_the_other_agency(client, world):
    d = _processing(world)
    client.force_login(world["specialist"])
    resp = _act(client, d, "hand_over", {"to_agency": world["other"].pk, "note": "Đề nghị xác minh cư trú"})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.current_agency == world["other"]
    client.force_login(world["other_counter"])
    assert client.get(reverse("backoffice:dossier", args=[d.pk])).status_code == 200


def test_feedback_about_a_dossier_is_handled_by_its_agency(client, world, submitted):
    from motcua.engagement.models import Feedback

    client.force_login(world["citizen"])  # only the applicant may give feedback about a dossier
    client.post(reverse("portal:feedback"), {
        "name": "Trần Thị Mai", "phone": "0912345678", "classification": "conduct", "title": "Chờ lâu",
        "content": "Tôi phải chờ quá lâu ở quầy tiếp nhận.", "dossier_code": submitted.code})
    fb = Feedback.objects.get()
    assert fb.agency == world["agency"]
    client.force_login(world["other_counter"])
    assert client.get(reverse("backoffice:feedback", args=[fb.pk])).status_code == 404
    client.force_login(world["counter"])
    assert fb.code in client.get(reverse("backoffice:feedback_list")).content.decode()
    resp = client.post(reverse("backoffice:feedback_action", args=[fb.pk, "answer"]), {"answer": ""})
    assert resp.status_code == 400 and "Vui lòng nhập nội dung trả lời." in resp.content.decode()
    resp = client.post(reverse("backoffice:feedback_action", args=[fb.pk, "answer"]),
                       {"answer": "Đơn vị đã bổ sung một quầy tiếp nhận buổi sáng."})
    assert resp.status_code == 302
    fb.refresh_from_db()
    assert fb.status == "answered" and fb.answer.startswith("Đơn vị")
    client.force_login(world["leader"])  # publishing is a manager's call
    assert client.post(reverse("backoffice:feedback_action", args=[fb.pk, "publish"])).status_code == 302
    client.logout()
    body = client.get(reverse("portal:feedback_answers")).content.decode()
    assert "Đơn vị đã bổ sung một quầy" in body and "0912345678" not in body


def test_leader_signs_the_result_pdf_and_the_citizen_downloads_it(client, world, submitted, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers import lifecycle
    from tests.web.conftest import pdf_bytes

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # demo CA issued on first use
    d = lifecycle.receive(submitted, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"], summary="Cấp Giấy khai sinh")
    client.force_login(world["leader"])
    resp = _act(client, d, "sign_result", {"electronic": "on",
                                           "result_file": SimpleUploadedFile("kq.pdf", pdf_bytes(), "application/pdf")})
    assert resp.status_code == 302
    d.refresh_from_db()
    result = d.attachments.get(kind="result")
    assert d.status == Status.READY_FOR_RETURN and result.is_signed and d.result_electronic and d.result_digitized
    lifecycle.return_result(d, officer=world["counter"])
    client.force_login(world["citizen"])
    resp = client.get(reverse("portal:dossier_result", args=[d.pk]), {"tai": "1"})
    assert resp.status_code == 200 and b"/ByteRange" in b"".join(resp.streaming_content)


def test_a_non_leader_posting_sign_changes_nothing(client, world, submitted, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers import lifecycle
    from tests.web.conftest import pdf_bytes

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    d = lifecycle.receive(submitted, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"])
    client.force_login(world["specialist"])
    resp = _act(client, d, "sign_result", {"result_file": SimpleUploadedFile("kq.pdf", pdf_bytes(), "application/pdf")})
    assert resp.status_code == 403
    d.refresh_from_db()
    assert d.status == Status.APPROVED and not d.attachments.filter(kind="result").exists()


def _approved(world, submitted, settings, tmp_path, result_type="paper"):
    """The dossier approved, its procedure's result of ``result_type`` ("electronic": an electronic document only)."""
    from motcua.dossiers import lifecycle

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world["proc"].result_type = result_type
    world["proc"].save(update_fields=["result_type"])
    d = lifecycle.receive(submitted, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    return lifecycle.approve(d, officer=world["leader"])


def _file_result(world, d, data: bytes):
    """The deciding agency files a result PDF on the dossier, as POST /api/v1/documents/attachments does."""
    from motcua.documents.attachments import store_upload

    return store_upload(data, owner=world["citizen"], dossier=d, kind="result", uploaded_by=world["leader"],
                        name="ket-qua.pdf")


def test_a_procedure_with_an_electronic_result_only_is_not_signed_without_its_file(client, world, submitted, settings,
                                                                                    tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.conftest import pdf_bytes

    d = _approved(world, submitted, settings, tmp_path, "electronic")
    _file_result(world, d, pdf_bytes())  # a result PDF without a digital signature does not make it electronic
    client.force_login(world["leader"])
    resp = _act(client, d, "sign_result")
    assert resp.status_code == 422  # the transition refuses (documents.digitization_flags.result_electronic_as_required)
    assert "Thủ tục có kết quả là bản điện tử: cần tải lên tệp kết quả (PDF) để ký số." in resp.content.decode()
    # also by the file field, where the leader gives the file
    sign_form = next(f for a, _, f in resp.context["action_forms"] if a == "sign_result")
    assert "Thủ tục có kết quả là bản điện tử" in str(sign_form.errors.get("result_file"))
    d.refresh_from_db()
    assert d.status == Status.APPROVED and not d.events.filter(action="sign_result").exists()
    resp = _act(client, d, "sign_result", {"result_file": SimpleUploadedFile("kq.pdf", pdf_bytes(), "application/pdf")})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.result_electronic


def test_a_validly_signed_result_already_on_the_dossier_is_signed_without_a_file(client, world, submitted, settings,
                                                                                  tmp_path):
    """The one rule the API asks too: the signed result PDF filed on the dossier (e.g. over the API) is the result."""
    from motcua.documents.signing import sign_pdf
    from tests.web.conftest import pdf_bytes

    d = _approved(world, submitted, settings, tmp_path, "electronic")
    filed = _file_result(world, d, sign_pdf(pdf_bytes(), world["agency"]))
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Hồ sơ đã có tệp kết quả (PDF) được ký số hợp lệ: bỏ trống để ban hành tệp đó" in page
    resp = _act(client, d, "sign_result")
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.result_electronic and d.result_digitized
    assert list(d.attachments.filter(kind="result")) == [filed]  # that file is the result, nothing signed again
    # and, as a result signed here, it is kept in the applicant's repository (Decision 766 indicator 4.4)
    kept = VaultItem.objects.get(attachment=filed)
    assert (kept.id_number, kept.kind, kept.source_dossier_id) == ("051190001234", "result", d.pk)
    assert d.vault_linked


def _with_draft(world, d):
    """A result draft made from the procedure's template waits to be signed (documents.result_drafts)."""
    from motcua.documents.attachments import store_upload
    from tests.web.conftest import pdf_bytes

    return store_upload(pdf_bytes(), owner=world["citizen"], dossier=d, kind="result_draft",
                        uploaded_by=world["specialist"], name="du-thao.pdf")


def test_with_a_draft_and_a_signed_result_filed_the_leader_chooses_which_is_issued(client, world, submitted, settings,
                                                                                     tmp_path):
    """A dossier has one result: the leader is asked which of the two to issue, and the other is not issued."""
    from motcua.documents.signing import sign_pdf
    from tests.web.conftest import pdf_bytes

    d = _approved(world, submitted, settings, tmp_path)
    filed = _file_result(world, d, sign_pdf(pdf_bytes(), world["agency"]))
    _with_draft(world, d)
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Ký số dự thảo kết quả lập từ mẫu" in page and "Ban hành tệp kết quả đã ký số có trong hồ sơ: ket-qua.pdf" in page
    assert '<legend>Kết quả ban hành <span class="hint">' in page  # the choices are named for a screen reader
    assert 'for=""' not in page  # and no label points at nothing
    resp = _act(client, d, "sign_result")  # neither chosen: nothing is signed
    assert resp.status_code == 400
    assert "chọn kết quả sẽ ban hành" in resp.content.decode()
    d.refresh_from_db()
    assert d.status == Status.APPROVED
    assert _act(client, d, "sign_result", {"source": "filed"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.result_electronic
    assert list(d.attachments.filter(kind="result")) == [filed]  # the draft was not signed
    assert VaultItem.objects.filter(source_dossier=d).get().attachment == filed


def test_signing_the_draft_replaces_the_result_filed_before(client, world, submitted, settings, tmp_path):
    from motcua.audit.models import AuditEntry
    from motcua.documents.signing import sign_pdf
    from motcua.dossiers import lifecycle
    from tests.web.conftest import pdf_bytes

    d = _approved(world, submitted, settings, tmp_path)
    filed = _file_result(world, d, sign_pdf(pdf_bytes(), world["agency"]))
    _with_draft(world, d)
    client.force_login(world["leader"])
    assert _act(client, d, "sign_result", {"source": "draft"}).status_code == 302
    d.refresh_from_db()
    issued = d.attachments.get(kind="result")  # one result: the draft, signed now
    assert issued != filed and issued.is_signed and d.result_electronic
    filed.refresh_from_db()
    assert filed.kind == "result_replaced"  # kept on the dossier for the record, not issued
    assert AuditEntry.objects.filter(action="document.result_replaced", object_id=str(d.pk)).count() == 1
    assert [i.attachment for i in VaultItem.objects.filter(source_dossier=d)] == [issued]
    lifecycle.return_result(d, officer=world["counter"], method="online")
    client.force_login(world["citizen"])  # the applicant sees the one result
    page = client.get(reverse("portal:dossier", args=[d.pk])).content.decode()
    assert reverse("portal:attachment", args=[d.pk, issued.pk]) in page
    assert reverse("portal:attachment", args=[d.pk, filed.pk]) not in page
    assert client.get(reverse("portal:attachment", args=[d.pk, filed.pk])).status_code == 404


def test_a_validly_signed_result_filed_with_the_return_makes_the_result_electronic(client, world, submitted, settings,
                                                                                    tmp_path):
    """Signed as a paper result, then returned with its signed PDF: the late fact is recorded (indicator 4.1)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.documents.signing import sign_pdf
    from motcua.dossiers import lifecycle
    from tests.web.conftest import pdf_bytes

    d = lifecycle.sign_result(_approved(world, submitted, settings, tmp_path), officer=world["leader"],
                              electronic=False, digitized=False)
    client.force_login(world["counter"])
    signed = SimpleUploadedFile("kq.pdf", sign_pdf(pdf_bytes(), world["agency"]), "application/pdf")
    assert _act(client, d, "return_result", {"method": "online", "result_file": signed}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.result_electronic and d.result_digitized
    assert d.events.get(action="result_electronic").actor == world["counter"]
    assert VaultItem.objects.get(source_dossier=d).attachment == d.attachments.get(kind="result")


def test_the_counter_sees_whether_the_fee_was_paid_online(client, world, submitted):
    from motcua.dossiers import lifecycle

    Dossier.objects.filter(pk=submitted.pk).update(fee_vnd=8_000)
    client.force_login(world["counter"])
    url = reverse("backoffice:dossier", args=[submitted.pk])
    assert "8.000 đ — chưa thanh toán trực tuyến" in client.get(url).content.decode()
    lifecycle.record_online_payment(Dossier.objects.get(pk=submitted.pk), amount_vnd=8_000, reference="GD-01")
    body = client.get(url).content.decode()  # returning the result: the fee is not collected a second time
    assert "8.000 đ — <strong>đã thanh toán trực tuyến</strong>, không thu lại" in body


def test_the_signed_result_is_listed_as_signed(client, world, submitted, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers import lifecycle
    from tests.web.conftest import pdf_bytes

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    d = lifecycle.receive(submitted, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"], summary="Cấp Giấy khai sinh")
    client.force_login(world["leader"])
    _act(client, d, "sign_result", {"result_file": SimpleUploadedFile("kq.pdf", pdf_bytes(), "application/pdf")})
    client.force_login(world["counter"])  # about to return it: the file is the signed result
    body = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert f'{d.code}-ket-qua.pdf</a><br><span class="hint">Kết quả giải quyết — đã ký số</span>' in body


def test_signing_a_paper_result_says_what_comes_next(client, world, submitted, settings, tmp_path):
    d = _approved(world, submitted, settings, tmp_path)
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Không có tệp: kết quả giấy, cần quét và xác nhận số hóa trước khi trả." in page  # no draft here
    done = client.post(reverse("backoffice:action", args=[d.pk, "sign_result"]), {}, follow=True).content.decode()
    assert "Đã ký, ban hành kết quả giấy. Quét và xác nhận số hóa bản kết quả trước khi trả" in done
