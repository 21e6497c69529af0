"""What a target measures, and where its value comes from.

- ``statistics``: a rate of the one-stop statistics, read through the reporting app's indicator
  functions for the plan's unit and period (never counted again here);
- ``dx``: a count this app keeps itself (community teams, their members, people trained);
- ``entered``: a figure the system cannot see (households with internet, smartphone share, DTI
  rank, …), typed by an officer with the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

STATISTICS, DX, ENTERED = "statistics", "dx", "entered"
SOURCE_LABELS = {STATISTICS: "Tính từ thống kê của hệ thống", DX: "Tính từ dữ liệu chuyển đổi số",
                 ENTERED: "Đơn vị nhập, kèm minh chứng"}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    source: str
    unit: str = "%"
    area: str = "digital_government"
    rate_key: str = ""  # reporting.indicators.Indicators.rates key (statistics measures)


MEASURES = [
    Measure("online_rate", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", STATISTICS, rate_key="online_rate"),
    Measure("online_rate_partial", "Tỷ lệ hồ sơ trực tuyến của dịch vụ công trực tuyến một phần", STATISTICS,
            rate_key="online_rate_partial"),
    Measure("online_rate_full", "Tỷ lệ hồ sơ trực tuyến của dịch vụ công trực tuyến toàn trình", STATISTICS,
            rate_key="online_rate_full"),
    Measure("digitized_at_receipt_rate", "Tỷ lệ số hóa hồ sơ khi tiếp nhận", STATISTICS,
            rate_key="digitized_at_receipt_rate"),
    Measure("results_digitized_rate", "Tỷ lệ số hóa kết quả giải quyết thủ tục hành chính", STATISTICS,
            rate_key="results_digitized_rate"),
    Measure("resolved_rate", "Tỷ lệ hồ sơ đã giải quyết", STATISTICS, rate_key="resolved_rate"),
    Measure("on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn", STATISTICS, rate_key="on_time_rate"),
    Measure("satisfaction_rate", "Tỷ lệ người dân, doanh nghiệp hài lòng", STATISTICS, rate_key="satisfaction_rate"),
    Measure("paid_online_rate", "Tỷ lệ hồ sơ có phí thanh toán trực tuyến", STATISTICS, rate_key="paid_online_rate"),
    Measure("community_teams", "Số tổ công nghệ số cộng đồng", DX, unit="tổ", area="digital_society"),
    Measure("team_members", "Số thành viên tổ công nghệ số cộng đồng", DX, unit="người", area="digital_society"),
    Measure("people_trained", "Số lượt người được tập huấn, hướng dẫn", DX, unit="người", area="human_resources"),
    Measure("documents_online_rate", "Tỷ lệ văn bản được tạo lập và xử lý trên môi trường mạng", ENTERED),
    Measure("documents_signed_rate", "Tỷ lệ văn bản phát hành được ký số", ENTERED),
    Measure("households_internet", "Tỷ lệ hộ gia đình kết nối Internet", ENTERED, area="infrastructure"),
    Measure("smartphone_share", "Tỷ lệ người dùng điện thoại thông minh", ENTERED, area="infrastructure"),
    Measure("digital_skills_share", "Tỷ lệ người trong độ tuổi lao động được đào tạo kỹ năng số cơ bản", ENTERED,
            area="digital_society"),
    Measure("digital_economy_share", "Tỷ trọng kinh tế số trong GRDP", ENTERED, area="digital_economy"),
    Measure("dti_rank", "Xếp hạng chỉ số chuyển đổi số (DTI)", ENTERED, unit="hạng", area="direction"),
    Measure("dti_score", "Điểm chỉ số chuyển đổi số (DTI)", ENTERED, unit="điểm", area="direction"),
    Measure("other", "Chỉ tiêu khác (nhập tay)", ENTERED, unit=""),
]
BY_KEY = {m.key: m for m in MEASURES}
CHOICES = [(m.key, m.label) for m in MEASURES]


def get(key: str) -> Measure | None:
    return BY_KEY.get(key)
