"""Vietnamese names of the events the system records: the audit trail's actions and the outbox's topics
(``dossier.approve`` is read «Hồ sơ: Phê duyệt kết quả»). The admin shows these names, never the codes.

The dossier actions are named once, in the dossier lifecycle (``ACTION_LABELS``), which registers them here
from ``DossiersConfig.ready``; the other events are named below.
"""

from collections.abc import Callable

GROUPS = {
    "account": "Tài khoản", "accounts": "Tài khoản", "twofactor": "Xác thực hai lớp", "api": "API",
    "dossier": "Hồ sơ", "dossiers": "Hồ sơ", "document": "Tài liệu", "documents": "Tài liệu",
    "vault": "Kho dữ liệu điện tử",
    "payment": "Thanh toán", "engagement": "Phản ánh, đánh giá", "catalog": "Thủ tục hành chính",
    "units": "Đơn vị hành chính", "dx": "Chuyển đổi số", "integration": "Kết nối", "audit": "Nhật ký hệ thống",
    "notice": "Thông báo", "personal_data": "Dữ liệu cá nhân", "admin": "Trang quản trị",
}

LABELS = {
    "account.login": "Đăng nhập", "account.logout": "Đăng xuất", "account.login_failed": "Đăng nhập sai",
    "account.locked_out": "Khóa đăng nhập do sai nhiều lần", "account.unlocked": "Mở khóa đăng nhập",
    "account.registered": "Đăng ký tài khoản", "account.role_assigned": "Giao vai trò",
    "account.id_number_verified": "Xác thực số định danh bằng VNeID",
    "account.password_set": "Đặt mật khẩu sau khi đăng nhập VNeID",
    "account.role_revoked": "Thu hồi vai trò", "accounts.role_ended": "Kết thúc vai trò do sắp xếp đơn vị",
    "accounts.role_merged": "Gộp vai trò do sắp xếp đơn vị", "accounts.role_moved": "Chuyển vai trò do sắp xếp đơn vị",
    "twofactor.enabled": "Bật xác thực hai lớp", "twofactor.disabled": "Tắt xác thực hai lớp",
    "twofactor.locked": "Khóa xác thực hai lớp do sai nhiều lần", "twofactor.recovery_code_used": "Dùng mã dự phòng",
    "twofactor.reencrypted": "Mã hóa lại bí mật xác thực hai lớp",
    "api.token_guessing_blocked": "Chặn địa chỉ dò khóa API",
    "catalog.procedure_reassigned": "Chuyển thủ tục sang cơ quan mới",
    "catalog.process_step_reassigned": "Chuyển bước xử lý sang cơ quan mới",
    "document.upload": "Tải tệp lên", "document.digitize_start": "Bắt đầu số hóa",
    "document.digitize_confirm": "Xác nhận bản số hóa", "documents.orphans_swept": "Dọn tệp không còn dùng",
    "documents.vault_stored": "Lưu giấy tờ vào kho dữ liệu",
    "vault.add": "Thêm giấy tờ vào kho", "vault.read": "Xem giấy tờ trong kho", "vault.read_denied": "Bị từ chối xem giấy tờ",
    "vault.reuse": "Dùng lại giấy tờ trong kho", "vault.consent_grant": "Đồng ý cho khai thác dữ liệu",
    "vault.consent_revoke": "Rút lại sự đồng ý khai thác dữ liệu",
    "payment.paid": "Đã thanh toán trực tuyến",
    "engagement.rating_submitted": "Gửi đánh giá mức độ hài lòng",
    "engagement.feedback_received": "Tiếp nhận phản ánh, kiến nghị", "engagement.feedback_processing": "Xử lý phản ánh",
    "engagement.feedback_info_requested": "Đề nghị bổ sung thông tin phản ánh",
    "engagement.feedback_info_provided": "Bổ sung thông tin phản ánh", "engagement.feedback_answered": "Trả lời phản ánh",
    "engagement.feedback_published": "Công khai trả lời phản ánh", "engagement.feedback_rejected": "Từ chối phản ánh",
    "engagement.feedback_rated": "Đánh giá trả lời phản ánh",
    "engagement.feedback_transferred": "Chuyển phản ánh sang cơ quan khác",
    "engagement.feedback_public_copy_corrected": "Sửa nội dung công khai của phản ánh",
    "units.reorganization_created": "Lập phương án sắp xếp", "units.reorganization_edited": "Sửa phương án sắp xếp",
    "units.reorganization_approved": "Phê duyệt phương án sắp xếp",
    "units.reorganization_reopened": "Trả phương án sắp xếp về bản nháp",
    "units.reorganization_started": "Bắt đầu thực hiện sắp xếp", "units.reorganization_applied": "Hoàn thành sắp xếp",
    "units.reorganized": "Đơn vị hành chính đã sắp xếp", "units.unit_closed": "Đóng đơn vị", "units.unit_opened": "Mở đơn vị",
    "units.successor_recorded": "Ghi nhận cơ quan kế thừa",
    "dossiers.successor_handover_finished": "Chuyển xong hồ sơ sang cơ quan kế thừa",
    "dossiers.successor_handover_taken_over": "Nhận tiếp việc chuyển hồ sơ sang cơ quan kế thừa",
    "dossiers.successor_handover_redirected": "Chuyển hướng việc chuyển hồ sơ sang cơ quan kế thừa mới",
    "dx.plan_created": "Lập kế hoạch", "dx.plan_imported": "Nhập kế hoạch từ tệp", "dx.plan_approved": "Phê duyệt kế hoạch",
    "dx.plan_reopened": "Mở lại kế hoạch", "dx.round_opened": "Mở kỳ báo cáo", "dx.round_answered": "Gửi báo cáo kỳ",
    "dx.value_entered": "Nhập kết quả chỉ tiêu", "dx.narrative_saved": "Lưu phần thuyết minh",
    "dx.round_unit_merged": "Kỳ báo cáo theo đơn vị sau sắp xếp", "dx.task_lead_merged": "Chuyển nhiệm vụ cho đơn vị mới",
    "dx.team_moved": "Chuyển tổ công nghệ số cộng đồng cho đơn vị mới",
    "notice.dx_round_opened": "Báo mở kỳ báo cáo chuyển đổi số", "notice.dx_round_reminder": "Nhắc báo cáo chuyển đổi số",
    "integration.portal_sync": "Đồng bộ với Cổng Dịch vụ công quốc gia", "integration.storage_sync": "Đồng bộ kho lưu trữ",
    "integration.parcel_collected": "Người nộp nhận lại tại quầy kết quả bưu điện phát không thành công",
    "core.text_normalized": "Chuẩn hóa văn bản đã lưu sang Unicode dựng sẵn (normalize_text)",
    "audit.anchor": "Neo chuỗi nhật ký", "personal_data.read": "Xem dữ liệu cá nhân",
    "admin.add": "Thêm mới", "admin.change": "Sửa", "admin.delete": "Xóa",
}

OBJECT_TYPES = {
    "dossier": "hồ sơ", "user": "tài khoản", "address": "địa chỉ mạng", "attachment": "tệp đính kèm",
    "digitization_job": "lượt số hóa", "feedback": "phản ánh, kiến nghị", "storage": "kho tệp", "vault": "kho dữ liệu",
    "vault_consent": "sự đồng ý khai thác dữ liệu", "vault_item": "giấy tờ trong kho", "administrative_unit": "đơn vị hành chính",
    "dx_plan": "kế hoạch chuyển đổi số", "dx_round": "kỳ báo cáo chuyển đổi số", "dx_task": "nhiệm vụ chuyển đổi số",
    "procedure": "thủ tục", "database": "cơ sở dữ liệu",
    "reorganization_plan": "phương án sắp xếp", "agency": "cơ quan", "payment": "thanh toán", "rating": "đánh giá",
}


# Events named by their data as well as by their code: code → [(applies(data), name)], the first that applies wins. A
# move to a successor an administrator recorded is not a rearrangement of administrative units: the apps that name
# such a move register its name here (the dossier lifecycle's, the roles').
CASES: dict[str, list[tuple[Callable[[dict], bool], str]]] = {}
# The name of such an event whatever its data, that fits each of its cases: the admin's filter option, one per code.
KINDS: dict[str, str] = {}


def register(prefix: str, labels: dict[str, str]) -> None:
    """Names events ``<prefix>.<action>`` (the dossier lifecycle registers its actions this way)."""
    LABELS.update({f"{prefix}.{action}": label for action, label in labels.items()})


def register_case(code: str, applies: Callable[[dict], bool], label: str, *, kind: str) -> None:
    """Names the event ``code`` ``label`` when its data (audit entry's, outbox payload's) ``applies``, and ``kind``
    when its data is not known (a filter option: events of this code with any data, ``kind_label``)."""
    CASES.setdefault(code, []).append((applies, label))
    KINDS[code] = kind


def event_label(code: str, data: dict | None = None) -> str:
    """«Hồ sơ: Phê duyệt kết quả» for ``dossier.approve``; an unnamed event by its group («Hồ sơ: sự kiện khác»);
    ``data`` (an audit entry's, an outbox event's payload) chooses among its ``CASES``."""
    group = GROUPS.get(code.split(".", 1)[0], "Hệ thống")
    name = next((label for applies, label in CASES.get(code, ()) if applies(data or {})), None)
    return f"{group}: {name or LABELS.get(code, 'sự kiện khác')}"


def kind_label(code: str) -> str:
    """The name of every event ``code``, whatever its data: the admin's filter option «Hồ sơ: Chuyển cơ quan do sắp
    xếp đơn vị hành chính hoặc sang cơ quan kế thừa» covers the moves of both cases (``KINDS``)."""
    group = GROUPS.get(code.split(".", 1)[0], "Hệ thống")
    return f"{group}: {KINDS.get(code) or LABELS.get(code, 'sự kiện khác')}"


def object_type_label(value: str) -> str:
    """«cơ quan» for ``units.agency``, and for ``units.Agency`` as some entries write the model (its label, not lower)."""
    return OBJECT_TYPES.get(value) or OBJECT_TYPES.get(value.lower(), "đối tượng khác")

