"""Demo data of digital transformation: the province's plan of the year (approved) and the demo ward's draft
plan under it, both imported from small spreadsheets through the real .xlsx import; targets computed from the
statistics, kept by the app and entered by hand; a community team and a training; an open reporting round
(its notices go through the outbox like any other).

Idempotent: a unit's plan of the year that already exists is left as it is, and so is an open round of the year.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from motcua.transformation.models import Activity, Plan, ReportingRound
from motcua.transformation.permissions import SystemActor
from motcua.transformation.services import community, indicators, plans, rounds
from motcua.transformation.xlsx.importer import import_plan
from motcua.units.models import Agency

HEADER = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Kinh phí (triệu đồng)", "Nguồn vốn", "Thời gian thực hiện"]


def province_rows(year: int) -> list[list]:
    """The province's plan: groups and tasks of the kind the seeds list, amounts in triệu đồng."""
    dept = "Sở Khoa học và Công nghệ"
    return [
        ["I", "Phát triển chính quyền số"],
        ["1", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa các cấp", dept, "2.000",
         "CTX, NST", f"31/12/{year}"],
        ["2", "Hội nghị truyền hình trực tuyến từ tỉnh đến 96 xã, phường, đặc khu", "Văn phòng UBND tỉnh", "1.000",
         "CTX, NST", f"30/09/{year}"],
        ["II", "Phát triển xã hội số"],
        ["1", "Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng các xã, phường, đặc khu", dept, "300", "CTX, NST",
         f"30/06/{year}"],
        ["III", "Bảo đảm an toàn thông tin mạng"],
        ["1", "Giám sát an toàn thông tin cho Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", dept, "500",
         "CTX, NST", str(year)],
        ["Tổng cộng", "", "", "3.800", "CTX, NST"],
    ]


def ward_rows(year: int, ward: str) -> list[list]:
    """The demo ward's plan, implementing the province's."""
    return [
        ["I", "Phát triển chính quyền số"],
        ["1", "Trang bị máy quét, máy tính cho Bộ phận Một cửa", ward, "150", "CTX, NSX", f"30/06/{year}"],
        ["2", "Số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực", ward, "80", "CTX, NSX", f"31/12/{year}"],
        ["II", "Phát triển xã hội số"],
        ["1", "Hướng dẫn người dân nộp hồ sơ trực tuyến tại Bộ phận Một cửa và các tổ dân phố", ward, "30",
         "CTX, NSX", str(year)],
        ["Tổng cộng", "", "", "260", "CTX, NSX"],
    ]


def workbook(title: str, unit: str, rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    for line in (title.upper(), unit, "Đơn vị tính: triệu đồng"):
        ws.append([line])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan(system, agency: Agency, year: int, rows: list[list], parent: Plan | None = None) -> tuple[Plan, bool]:
    plan = Plan.objects.filter(agency=agency, year=year, kind=Plan.PLAN).first()
    if plan is not None:
        return plan, False
    title = f"Kế hoạch chuyển đổi số năm {year}"
    result = import_plan(system, workbook(title, agency.name, rows), agency=agency, year=year, title=title,
                         parent=parent)
    return result.plan, True


@transaction.atomic
def ensure_transformation(prefix: str, ward_unit: str, today: dt.date | None = None) -> list[str]:
    """Load the demo's digital-transformation data; returns what it did, line by line (Vietnamese)."""
    today = today or timezone.localdate()
    year = today.year
    system = SystemActor("Nạp dữ liệu trình diễn")
    province = Agency.objects.get(code=prefix, kind=Agency.PROVINCIAL_COMMITTEE)
    ward = Agency.objects.get(kind=Agency.COMMUNE_COMMITTEE, admin_unit__code=ward_unit)
    said = []
    plan, created = _plan(system, province, year, province_rows(year))
    if created:
        indicators.add_target(system, plan, measure="online_rate", value="50")
        indicators.add_target(system, plan, measure="households_internet", value="85")
        plans.approve_plan(system, plan)  # the province's plan is issued; the wards' are still being written
    said.append(f"kế hoạch của {province.name}: {'đã nhập' if created else 'đã có'} ({plan.tasks.count()} nhiệm vụ)")
    ward_plan, created = _plan(system, ward, year, ward_rows(year, ward.short_name or ward.name), parent=plan)
    if created:
        indicators.add_target(system, ward_plan, measure="online_rate", value="40")
        indicators.add_target(system, ward_plan, measure="people_trained", value="200")
        community.add_team(system, ward, members=5, village="Tổ dân phố 1", founded_on=dt.date(year, 1, 15))
        community.add_activity(system, ward, date=today, title="Hướng dẫn cài đặt, sử dụng ứng dụng định danh "
                               "điện tử và nộp hồ sơ trực tuyến", participants=60, kind=Activity.TRAINING)
    said.append(f"kế hoạch của {ward.name}: {'đã nhập' if created else 'đã có'} ({ward_plan.tasks.count()} nhiệm vụ)")
    rnd = ReportingRound.objects.filter(year=year, status=ReportingRound.OPEN).first()
    if rnd is None:
        rnd = rounds.open_round(system, title=f"Báo cáo kết quả chuyển đổi số năm {year}", year=year,
                                deadline=today + dt.timedelta(days=30))
        said.append(f"kỳ báo cáo mở, hạn {rnd.deadline:%d/%m/%Y}, {rnd.responses.count()} đơn vị")
    else:
        said.append(f"kỳ báo cáo đang mở: {rnd.title}")
    return said
