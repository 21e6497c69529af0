"""What the applicant is told, by SMS and e-mail, at each step of the lifecycle (Vietnamese).

Keyed by the lifecycle action in the outbox payload (motcua.dossiers.lifecycle); internal steps
(a specialist finishing a step, a hand-over between agencies) are not sent to the applicant.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.utils import timezone
from django.utils.text import capfirst

from motcua.dossiers.lifecycle.reorganization import MOVED_BECAUSE
from motcua.units.models import Agency

_SMS = {
    "submit_online": "Hồ sơ {code} đã được gửi trực tuyến, đang chờ tiếp nhận.",
    "receive": "Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {due}.",
    "receive_at_counter": "Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {due}.",
    "request_supplement": "Hồ sơ {code} cần bổ sung, hoàn thiện. Vui lòng xem phiếu hướng dẫn.",
    "provide_supplement": "Hồ sơ {code} đã nhận giấy tờ bổ sung.",
    "refuse": "Hồ sơ {code} bị từ chối tiếp nhận. Lý do: xem trên Cổng Dịch vụ công.",
    "start_processing": "Hồ sơ {code} đang được giải quyết.",
    "pause": "Hồ sơ {code} tạm dừng giải quyết.",
    "resume": "Hồ sơ {code} tiếp tục được giải quyết. Hẹn trả kết quả: {due}.",
    "extend": "Hồ sơ {code} được gia hạn. Hẹn trả kết quả mới: {due}.",
    "issue_apology": "Xin lỗi Ông/Bà vì hồ sơ {code} chậm trả kết quả. Hẹn lại: {due}.",
    "reject": "Hồ sơ {code} không đủ điều kiện giải quyết. Xem văn bản trả lời.",
    "sign_result": "Hồ sơ {code} đã có kết quả, mời Ông/Bà nhận kết quả.",
    "return_result": "Hồ sơ {code} đã trả kết quả. Mời Ông/Bà đánh giá mức độ hài lòng.",
    "withdraw": "Hồ sơ {code} đã được rút theo đề nghị của Ông/Bà.",
    "stop": "Hồ sơ {code} bị dừng giải quyết. Xem thông báo trên Cổng Dịch vụ công.",
    "transfer_agency": "{why}, hồ sơ {code} chuyển về {agency}; mã hồ sơ và hẹn trả giữ nguyên: {due}.",
}

_EMAIL = {
    "submit_online": ("Đã gửi hồ sơ {code}", "Hồ sơ {code} ({procedure}) đã được gửi trực tuyến và đang chờ tiếp nhận."),
    "receive": ("Đã tiếp nhận hồ sơ {code}", "Hồ sơ {code} ({procedure}) đã được tiếp nhận. Ngày hẹn trả kết quả: {due}."),
    "receive_at_counter": ("Đã tiếp nhận hồ sơ {code}",
                           "Hồ sơ {code} ({procedure}) đã được tiếp nhận. Ngày hẹn trả kết quả: {due}."),
    "request_supplement": ("Yêu cầu bổ sung hồ sơ {code}",
                           "Hồ sơ {code} cần được bổ sung, hoàn thiện. Vui lòng xem Phiếu yêu cầu bổ sung, hoàn thiện "
                           "hồ sơ trên Cổng Dịch vụ công."),
    "provide_supplement": ("Đã nhận bổ sung hồ sơ {code}", "Giấy tờ bổ sung cho hồ sơ {code} đã được nhận."),
    "refuse": ("Từ chối tiếp nhận hồ sơ {code}",
               "Hồ sơ {code} không được tiếp nhận. Lý do được nêu trong Phiếu từ chối tiếp nhận giải quyết hồ sơ."),
    "start_processing": ("Hồ sơ {code} đang được giải quyết", "Hồ sơ {code} ({procedure}) đang được giải quyết."),
    "pause": ("Tạm dừng giải quyết hồ sơ {code}", "Hồ sơ {code} tạm dừng giải quyết."),
    "resume": ("Tiếp tục giải quyết hồ sơ {code}", "Hồ sơ {code} tiếp tục được giải quyết. Ngày hẹn trả kết quả: {due}."),
    "extend": ("Gia hạn giải quyết hồ sơ {code}", "Hồ sơ {code} được gia hạn. Ngày hẹn trả kết quả mới: {due}."),
    "issue_apology": ("Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}",
                      "Chúng tôi xin lỗi vì hồ sơ {code} chậm trả kết quả. Ngày hẹn trả kết quả mới: {due}."),
    "reject": ("Hồ sơ {code} không được giải quyết", "Hồ sơ {code} không đủ điều kiện giải quyết; lý do được nêu "
                                                     "trong văn bản trả lời."),
    "sign_result": ("Hồ sơ {code} đã có kết quả", "Hồ sơ {code} ({procedure}) đã có kết quả. Mời Ông/Bà nhận kết quả."),
    "return_result": ("Đã trả kết quả hồ sơ {code}",
                      "Hồ sơ {code} đã được trả kết quả. Mời Ông/Bà đánh giá mức độ hài lòng trên Cổng Dịch vụ công."),
    "withdraw": ("Đã rút hồ sơ {code}", "Hồ sơ {code} đã được rút theo đề nghị của Ông/Bà."),
    "stop": ("Dừng giải quyết hồ sơ {code}", "Hồ sơ {code} bị dừng giải quyết; lý do được nêu trong thông báo."),
    "transfer_agency": ("Hồ sơ {code} chuyển về {agency}",
                        "{why}, hồ sơ {code} ({procedure}) được chuyển về {agency} tiếp tục "
                        "giải quyết. Mã hồ sơ và ngày hẹn trả kết quả giữ nguyên: {due}."),
}


def _why(payload: dict) -> str:
    """Why the dossier moved (``transfer_agency``'s ``moved_by``; none: a merger's), at the head of a sentence."""
    return capfirst(MOVED_BECAUSE.get(payload.get("moved_by") or "reorganization", MOVED_BECAUSE["reorganization"]))


EMAIL_FOOTER = "\n\nMột Cửa Số — thư tự động, vui lòng không trả lời."


def _due(payload: dict) -> str:
    raw = payload.get("due_at")
    if not raw:
        return "—"
    moment = timezone.localtime(dt.datetime.fromisoformat(raw))
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def _agency(payload: dict) -> str:
    """Short name of the agency the dossier went to (``to_agency_code``), else of its receiving agency."""
    code = payload.get("to_agency_code") or payload.get("agency_code")
    agency = Agency.objects.filter(code=code).values("short_name", "name").first() if code else None
    return (agency["short_name"] or agency["name"]) if agency else (code or "")


def has_message(action: str) -> bool:
    return action in _SMS


def strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def sms_text(payload: dict, *, ascii_only: bool = False) -> str:
    """The SMS; `ascii_only` (config ``sms.ascii``) drops the diacritics so that a message fits one
    160-character GSM-7 segment instead of 70-character Unicode segments."""
    template = _SMS[payload["action"]]
    agency = _agency(payload) if "{agency}" in template else ""
    text = template.format(code=payload.get("code") or "", due=_due(payload), agency=agency, why=_why(payload))
    return strip_diacritics(text) if ascii_only else text


def email_message(payload: dict, procedure_name: str = "") -> tuple[str, str]:
    subject, body = _EMAIL[payload["action"]]
    values = {"code": payload.get("code") or "", "due": _due(payload), "procedure": procedure_name,
              "agency": _agency(payload) if "{agency}" in subject + body else "", "why": _why(payload)}
    return subject.format(**values), body.format(**values) + EMAIL_FOOTER
