import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.dossiers.models import Dossier, Slip, SupplementRequest
from motcua.units.models import AdministrativeUnit
from tests.factories import AdministrativeUnitFactory, AgencyFactory, UserFactory, procedure_with_steps

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=8, minute=30):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def dossier(db):
    province = AdministrativeUnitFactory(code="51", name="Tỉnh Quảng Ngãi", level=AdministrativeUnit.PROVINCE)
    commune = AdministrativeUnitFactory(code="21025", name="Phường Cẩm Thành", level=AdministrativeUnit.WARD,
                                        parent=province)
    agency = AgencyFactory(code="H55.01.21025", name="UBND phường Cẩm Thành", admin_unit=commune,
                           address="12 Hùng Vương, phường Cẩm Thành", phone="0255 3822 111")
    proc = procedure_with_steps(
        code="1.001193", name="Đăng ký khai sinh", processing_days=3, fee_vnd=8000,
        components=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"),
    )
    officer = UserFactory(username="tiepnhan", full_name="Trần Văn Bình")
    d = Dossier.objects.create(
        code="H55.01.21025-260305-0007", procedure=proc, agency=agency, current_agency=agency,
        status="processing", channel="counter", rule_version="decree118_2025",
        applicant_name="Nguyễn Thị Hồng Nhung", applicant_id_number="051190012345", applicant_phone="0905123456",
        applicant_email="nhung@example.vn", applicant_address="Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
        fee_vnd=8000, received_at=at(5), due_at=at(10, 10, 0), original_due_at=at(10, 10, 0),
    )
    d._officer = officer
    return d


@pytest.fixture
def receipt_slip(dossier):
    return Slip.objects.create(dossier=dossier, kind=Slip.RECEIPT, issued_at=at(5, 8, 35),
                               issued_by=dossier._officer, data={"book_volume": "02", "book_entry": "157"})


@pytest.fixture
def processed(db):
    """A walk-in dossier taken through the real lifecycle: counter → specialist (early) → leader (late,
    after an apology with a new appointment) → returned."""
    from motcua.dossiers import lifecycle
    from tests.dossiers.factories import make_world

    w = make_world()
    w.leader.full_name = "Phạm Quốc Khánh"
    w.leader.save()
    d = w.walk_in(when=at(5, 8, 30))
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=at(5, 9, 0))
    d = lifecycle.complete_step(d, officer=w.specialist, note="Đủ điều kiện", at=at(6, 15, 0))
    d = lifecycle.issue_apology(d, officer=w.leader, reason="Cần xác minh thông tin nơi sinh",
                                new_due_at=at(13, 16, 0), at=at(9, 8, 0))
    d = lifecycle.approve(d, officer=w.leader, summary="Cấp giấy khai sinh", at=at(11, 9, 0))
    d = lifecycle.sign_result(d, officer=w.leader, at=at(11, 10, 0))
    d = lifecycle.return_result(d, officer=w.counter, at=at(11, 14, 0))
    d.world = w
    return d


@pytest.fixture
def supplement(dossier):
    return SupplementRequest.objects.create(
        dossier=dossier, requested_at=at(5, 9, 0), requested_by=dossier._officer,
        items=[{"name": "Giấy chứng sinh", "originals": 1, "copies": 0, "note": "Bản chính"},
               "Văn bản ủy quyền có chứng thực"],
        reason="Giấy chứng sinh nộp kèm là bản chụp, không có chữ ký của cơ sở y tế.",
    )
