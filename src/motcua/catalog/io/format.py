"""The catalog document: its format name and version, the XLSX sheets and columns, and the error that lists
every problem found."""

from __future__ import annotations

from motcua.accounts.models import Role
from motcua.core.errors import ValidationFailed
from motcua.units.models import Agency

FORMAT = "motcua-catalog"
VERSION = 1
AGENCY_KINDS = dict(Agency.KINDS)
STEP_ROLES = {Role.COUNTER_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER}
# What an e-form field may be bound to ("bind" in form_schema): a fact of the applicant block, typed once, or a
# fact of the population database's record of the applicant (web/forms.py fills and shows them).
APPLICANT_FACTS = ("full_name", "id_number", "phone", "email", "address")
PERSON_FACTS = ("date_of_birth", "gender", "permanent_address", "current_address", "place_of_origin", "ethnicity",
                "nationality")
BIND_KEYS = {*(f"applicant.{f}" for f in APPLICANT_FACTS), *(f"person.{f}" for f in PERSON_FACTS)}
FORM_FIELD_TYPES = {"text", "textarea", "date", "number", "select", "checkbox", "email", "tel", "id_number"}

FIELD_COLUMNS = [("code", "Mã lĩnh vực"), ("name", "Tên lĩnh vực")]
PROCEDURE_COLUMNS = [
    ("code", "Mã thủ tục"), ("name", "Tên thủ tục"), ("field", "Mã lĩnh vực"), ("level", "Cấp thực hiện"),
    ("agency_kind", "Loại cơ quan có thẩm quyền"), ("competent_authority", "Cơ quan có thẩm quyền"),
    ("processing_days", "Thời hạn giải quyết (ngày làm việc)"), ("fee_vnd", "Phí, lệ phí (đồng)"),
    ("fee_online_vnd", "Phí, lệ phí nộp trực tuyến (đồng)"),
    ("fee_online_basis", "Căn cứ mức phí nộp trực tuyến"), ("fee_note", "Ghi chú phí"),
    ("online_level", "Mức độ trực tuyến"), ("result_type", "Loại kết quả"), ("result_name", "Tên kết quả"),
    ("target", "Đối tượng"), ("description", "Trình tự thực hiện"), ("requirements", "Yêu cầu, điều kiện"),
    ("legal_basis", "Căn cứ pháp lý"), ("form_schema", "Biểu mẫu điện tử (JSON)"), ("is_sample", "Dữ liệu mẫu"),
    ("announcing_decision", "Quyết định công bố"), ("announced_on", "Ngày ban hành quyết định công bố"),
    ("legal_effective_on", "Ngày hiệu lực văn bản quy định"),
    ("national_published_on", "Ngày công khai trên CSDL quốc gia"),
    ("online_payment", "Tích hợp thanh toán trực tuyến"), ("certified_copy", "Chứng thực bản sao"),
    ("is_active", "Đang áp dụng"), ("agencies", "Cơ quan tiếp nhận"),
]
COMPONENT_COLUMNS = [
    ("procedure", "Mã thủ tục"), ("order", "Thứ tự"), ("name", "Tên giấy tờ"), ("originals", "Số bản chính"),
    ("copies", "Số bản sao"), ("is_required", "Bắt buộc"), ("note", "Ghi chú"),
]
STEP_COLUMNS = [
    ("procedure", "Mã thủ tục"), ("order", "Thứ tự"), ("name", "Tên bước"), ("role", "Vai trò thực hiện"),
    ("duration_days", "Thời gian (ngày làm việc)"), ("agency_kind", "Loại cơ quan thực hiện"),
    ("agency", "Mã cơ quan thực hiện"),
]
SHEETS = [("Lĩnh vực", FIELD_COLUMNS), ("Thủ tục", PROCEDURE_COLUMNS), ("Thành phần hồ sơ", COMPONENT_COLUMNS),
          ("Quy trình", STEP_COLUMNS)]
TEXT_KEYS = ("competent_authority", "fee_note", "fee_online_basis", "result_name", "description", "requirements", "legal_basis",
             "announcing_decision")
DATE_KEYS = (("announced_on", "Ngày ban hành quyết định công bố"), ("legal_effective_on", "Ngày hiệu lực văn bản quy định"),
             ("national_published_on", "Ngày công khai trên CSDL quốc gia"))
FLAG_KEYS = (("is_sample", "Dữ liệu mẫu", False), ("is_active", "Đang áp dụng", True),
             ("online_payment", "Tích hợp thanh toán trực tuyến", False), ("certified_copy", "Chứng thực bản sao", False))


class CatalogInvalid(ValidationFailed):
    def __init__(self, errors: list[str]):
        super().__init__("catalog_invalid", f"Tệp danh mục thủ tục có {len(errors)} lỗi, chưa nhập gì.",
                         details={"errors": errors})
        self.errors = errors
