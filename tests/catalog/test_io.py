import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from motcua.catalog.io import CatalogInvalid, catalog_to_dict, export_catalog, import_catalog, import_catalog_data
from motcua.catalog.models import ComponentRequirement, Field, Procedure, ProcessStep
from motcua.units.models import Agency

DEMO = Path(__file__).resolve().parents[2] / "src/motcua/demo/demo_catalog.json"
pytestmark = pytest.mark.django_db


def demo():
    return json.loads(DEMO.read_text(encoding="utf-8"))


def test_demo_catalog_shape():
    data = demo()
    procs = data["procedures"]
    assert len(procs) >= 30
    assert all(p["is_sample"] for p in procs)
    online = [p for p in procs if p["online_level"] != "none"]
    full = sum(p["online_level"] == "full" for p in online) / len(online)
    assert 0.33 <= full <= 0.45  # seed 003: 848 full of 1,336 online-capable ≈ 39 % full... partial majority
    names = " | ".join(p["name"] for p in procs)
    for must in ("Đăng ký khai sinh", "Đăng ký khai tử", "Đăng ký kết hôn", "Chứng thực bản sao",
                 "Đăng ký thành lập hộ kinh doanh", "Đăng ký biến động", "Cấp đổi Giấy chứng nhận",
                 "Chuyển mục đích sử dụng đất", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "trợ cấp xã hội"):
        assert must in names, must
    from decimal import Decimal
    inter = 0
    for p in procs:
        assert p["components"] and p["form_schema"] and p["steps"], p["code"]
        assert sum(Decimal(s["duration_days"]) for s in p["steps"]) == Decimal(p["processing_days"]), p["code"]
        if any(s["agency_kind"] and s["agency_kind"] != p["agency_kind"] for s in p["steps"]):
            inter += 1
    assert inter >= 3


def test_import_demo_links_agencies_and_is_idempotent(province):
    stats = import_catalog(DEMO)
    assert stats["created"] >= 30
    birth = Procedure.objects.get(name="Đăng ký khai sinh")
    assert birth.agencies.count() == 96
    assert birth.components.count() == 2 and birth.steps.count() == 2
    assert birth.is_sample
    criminal = Procedure.objects.get(code="2.000488")
    assert list(criminal.agencies.values_list("code", flat=True)) == ["H51.01"]
    land = Procedure.objects.get(code="1.012755")
    assert {s.agency.code for s in land.steps.all() if s.agency} == {"H51.06.01", "H51.90"}
    counts = (Procedure.objects.count(), ComponentRequirement.objects.count(), ProcessStep.objects.count())
    step_ids = set(ProcessStep.objects.values_list("id", flat=True))
    again = import_catalog(DEMO)
    assert again["created"] == 0
    assert (Procedure.objects.count(), ComponentRequirement.objects.count(), ProcessStep.objects.count()) == counts
    assert set(ProcessStep.objects.values_list("id", flat=True)) == step_ids  # steps updated in place


def test_round_trip_json_db_xlsx_db(province, tmp_path):
    import_catalog(DEMO)
    first = catalog_to_dict()
    xlsx = tmp_path / "catalog.xlsx"
    assert export_catalog(xlsx) == len(first["procedures"])
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Lĩnh vực", "Thủ tục", "Thành phần hồ sơ", "Quy trình"]
    assert wb["Thủ tục"]["A1"].value == "Mã thủ tục"
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    import_catalog(xlsx)
    assert catalog_to_dict() == first


def test_json_export_command(province, tmp_path):
    import_catalog(DEMO)
    out = tmp_path / "c.json"
    call_command("export_catalog", str(out), stdout=StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["procedures"][0]["agencies"]
    assert {p["code"] for p in data["procedures"]} == {p["code"] for p in demo()["procedures"]}


def test_errors_reported_per_row_and_nothing_written(province):
    data = demo()
    bad = copy.deepcopy(data)
    bad["procedures"][2]["online_level"] = "toan_trinh"
    bad["procedures"][5]["fee_vnd"] = -5
    bad["procedures"][7]["agencies"] = ["H51.77"]
    bad["procedures"][8]["steps"][0]["role"] = "janitor"
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(bad)
    errors = err.value.errors
    assert len(errors) == 4
    assert errors[0].startswith("Thủ tục thứ 3 (") and "Mức độ trực tuyến \"toan_trinh\" không hợp lệ" in errors[0]
    assert "Thủ tục thứ 6" in errors[1] and "số đồng không âm" in errors[1]
    assert "không tìm thấy cơ quan có mã \"H51.77\"" in errors[2]
    assert "bước thứ 1" in errors[3] and "Vai trò thực hiện" in errors[3]
    assert err.value.status == 422 and err.value.code == "catalog_invalid"
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0


def test_steps_longer_than_deadline_rejected(province):
    data = demo()
    data["procedures"][0]["processing_days"] = "0.5"
    with pytest.raises(CatalogInvalid, match="1 lỗi") as err:
        import_catalog_data(data)
    assert "tổng thời gian các bước vượt thời hạn giải quyết" in err.value.errors[0]


def test_xlsx_errors_name_sheet_and_row(province, tmp_path):
    import_catalog(DEMO)
    path = tmp_path / "c.xlsx"
    export_catalog(path)
    wb = load_workbook(path)
    wb["Quy trình"]["E3"] = "hai ngày"
    wb["Thành phần hồ sơ"]["A4"] = "9.999999"
    wb.save(path)
    before = Procedure.objects.get(code="1.001193").updated_at
    with pytest.raises(CatalogInvalid) as err:
        import_catalog(path)
    assert any(e.startswith("Trang \"Thành phần hồ sơ\", dòng 4") and "9.999999" in e for e in err.value.errors)
    Procedure.objects.filter(code="1.001193")
    assert Procedure.objects.get(code="1.001193").updated_at == before


def test_xlsx_step_error_position(province, tmp_path):
    import_catalog(DEMO)
    path = tmp_path / "c.xlsx"
    export_catalog(path)
    wb = load_workbook(path)
    wb["Quy trình"]["E3"] = "hai ngày"
    wb.save(path)
    with pytest.raises(CatalogInvalid) as err:
        import_catalog(path)
    assert len(err.value.errors) == 1
    assert err.value.errors[0].startswith("Trang \"Quy trình\", dòng 3")


def test_import_command_reports_errors(province, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"procedures": [{"code": "1.1", "name": "", "field": "XX"}]}), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="lỗi"):
        call_command("import_catalog", str(path), stdout=StringIO(), stderr=err)
    assert "thiếu tên thủ tục" in err.getvalue() and "lĩnh vực mã \"XX\"" in err.getvalue()
    with pytest.raises(CommandError, match="không hỗ trợ"):
        call_command("import_catalog", str(tmp_path / "x.csv"), stdout=StringIO()) if (tmp_path / "x.csv").write_text(
            "") is not None else None
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_catalog", str(tmp_path / "missing.json"), stdout=StringIO())


def test_export_kind_shorthand_only_when_all_agencies(province):
    import_catalog(DEMO)
    birth = Procedure.objects.get(name="Đăng ký khai sinh")
    one = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).order_by("code").first()
    birth.agencies.remove(one)
    exported = next(p for p in catalog_to_dict()["procedures"] if p["code"] == birth.code)
    assert len(exported["agencies"]) == 95 and "kind:commune_committee" not in exported["agencies"]


def test_publication_dates_payment_and_copy_flags_travel_through_json_and_xlsx(province, tmp_path):
    """Decision 766 1.1 / 1.2 / 3.5 / 4.6 read these catalog facts; import and export carry them."""
    import datetime as dt

    import_catalog(DEMO)
    copy_proc = Procedure.objects.get(code="2.000815")
    assert copy_proc.certified_copy and copy_proc.announcing_decision.endswith("/QĐ-UBND")
    assert isinstance(copy_proc.announced_on, dt.date) and isinstance(copy_proc.legal_effective_on, dt.date)
    assert Procedure.objects.filter(national_published_on__isnull=True).exists()  # not yet published
    assert Procedure.objects.filter(fee_vnd__gt=0, online_payment=True).exists()
    assert Procedure.objects.filter(fee_vnd__gt=0, online_payment=False).exists()
    path = tmp_path / "c.xlsx"
    export_catalog(path)
    ws = load_workbook(path)["Thủ tục"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "2.000815")
    assert row[head.index("Ngày ban hành quyết định công bố")] == copy_proc.announced_on.strftime("%d/%m/%Y")
    assert row[head.index("Chứng thực bản sao")] == "có"


def test_bad_publication_date_is_named(province):
    data = demo()
    data["procedures"][1]["announced_on"] = "31/02/2026"
    data["procedures"][2]["national_published_on"] = "hôm qua"
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(data)
    assert len(err.value.errors) == 2
    assert "Thủ tục thứ 2" in err.value.errors[0] and "Ngày ban hành quyết định công bố \"31/02/2026\"" in \
        err.value.errors[0] and "không phải ngày hợp lệ" in err.value.errors[0]
    assert "Ngày công khai trên CSDL quốc gia \"hôm qua\"" in err.value.errors[1]
    assert Procedure.objects.count() == 0


def test_a_reduced_online_fee_needs_its_legal_basis(province):
    data = demo()
    reduced = next(i for i, p in enumerate(data["procedures"]) if (p.get("fee_online_vnd") or 0) < p["fee_vnd"]
                   and p.get("fee_online_vnd") is not None)
    assert data["procedures"][reduced]["fee_online_basis"]  # the demo says where its 50 % comes from
    data["procedures"][reduced]["fee_online_basis"] = ""
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(data)
    assert len(err.value.errors) == 1 and "chưa ghi căn cứ mức phí nộp trực tuyến" in err.value.errors[0]
    assert Procedure.objects.count() == 0
    import_catalog_data(demo())
    p = Procedure.objects.get(code=data["procedures"][reduced]["code"])
    assert p.fee_online_basis and p.fee_for_channel("online") < p.fee_for_channel("counter")


def test_an_eform_field_binds_only_to_a_known_applicant_fact(province):
    data = demo()
    assert data["procedures"][0]["form_schema"][0]["bind"] == "applicant.full_name"
    data["procedures"][0]["form_schema"][0]["bind"] = "applicant.mother_name"
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(data)
    assert len(err.value.errors) == 1 and "không phải thông tin người nộp đã biết" in err.value.errors[0]


@pytest.mark.parametrize("version", ["2.0", "", "một", [1], None, "9" * 5000])
def test_a_catalog_file_of_an_unreadable_version_is_refused_in_vietnamese_not_a_traceback(province, tmp_path, version):
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps({"format": "motcua-catalog", "version": version, "procedures": []}), encoding="utf-8")
    with pytest.raises(CommandError, match="không phải danh mục thủ tục của hệ thống hoặc phiên bản mới hơn"):
        call_command("import_catalog", str(path), stdout=StringIO())


def _close(agency, days_ago=1):
    """The agency's commune dissolved: its last day («hiệu lực đến») passed (units.lifetime)."""
    import datetime as dt

    from django.utils import timezone
    unit = agency.admin_unit
    unit.valid_to = timezone.localdate() - dt.timedelta(days=days_ago)
    unit.save(update_fields=["valid_to"])


def test_an_agency_of_a_closed_unit_is_not_assigned_by_the_import(province):
    """A procedure's receiving agency or a step's agency whose unit's last day has passed is refused with why, in
    Vietnamese, and nothing is written; a «kind:» shorthand leaves it out (units.receiving: the one rule)."""
    closed = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).order_by("code").first()
    _close(closed)
    data = demo()
    bad = copy.deepcopy(data)
    bad["procedures"][0]["agencies"] = [closed.code]
    bad["procedures"][1]["steps"][0]["agency"] = closed.code
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(bad)
    errors = err.value.errors
    assert len(errors) == 2, errors
    assert errors[0].startswith("Thủ tục thứ 1 (")
    assert f"cơ quan tiếp nhận mã \"{closed.code}\" không nhận hồ sơ: {closed.admin_unit.name} đã giải thể" in errors[0]
    assert "Thủ tục thứ 2" in errors[1] and "bước thứ 1" in errors[1]
    assert f"cơ quan thực hiện mã \"{closed.code}\" không nhận hồ sơ" in errors[1]
    assert Procedure.objects.count() == 0
    import_catalog_data(data)
    birth = Procedure.objects.get(name="Đăng ký khai sinh")
    assert birth.agencies.count() == 95 and not birth.agencies.filter(pk=closed.pk).exists()


def test_a_catalog_naming_a_merged_commune_tells_the_successor_code_and_imports_once_corrected(tmp_path):
    """The officer re-imports the catalog file they kept from before a merger (applied through its plan): each row
    naming an old committee says, in Vietnamese, that its commune merged and which code succeeded it; nothing is
    written (the import is all or nothing) and the command shows the rows, not a traceback. The file corrected with
    that code imports."""
    import datetime as dt

    from motcua.units.reorganization import apply, approve
    from tests.units import reorganization_world as world

    w = world.build()
    kept = catalog_to_dict()
    plan = approve(world.draft(w, effective=dt.date(2026, 4, 1)), w.admin)
    apply(plan, w.admin)
    plan.refresh_from_db()
    new, old = plan.new_agency, w.agency_a
    before = {p.code: sorted(p.agencies.values_list("code", flat=True)) for p in Procedure.objects.all()}
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(kept)
    row = next(e for e in err.value.errors if e.startswith("Thủ tục thứ 2 ("))
    assert row == (f"Thủ tục thứ 2 ({w.procedures['only_a'].code}): cơ quan tiếp nhận mã \"{old.code}\" không nhận "
                   f"hồ sơ: {w.a.name} đã sáp nhập vào {plan.new_unit.name} từ ngày 01/04/2026; cơ quan kế thừa là "
                   f"{new.name}, ghi mã \"{new.code}\" thay cho mã \"{old.code}\".")
    step = next(e for e in err.value.errors if "bước thứ 1" in e)
    assert f"cơ quan thực hiện mã \"{old.code}\"" in step and f"ghi mã \"{new.code}\" thay cho" in step
    assert {p.code: sorted(p.agencies.values_list("code", flat=True)) for p in Procedure.objects.all()} == before

    path = tmp_path / "kept.json"
    path.write_text(json.dumps(kept), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="chưa nhập gì"):
        call_command("import_catalog", str(path), stdout=StringIO(), stderr=out)
    assert f"ghi mã \"{new.code}\" thay cho mã \"{old.code}\"" in out.getvalue()

    corrected = json.loads(json.dumps(kept).replace(f"\"{w.agency_b.code}\"", f"\"{new.code}\"")
                           .replace(f"\"{old.code}\"", f"\"{new.code}\""))
    import_catalog_data(corrected)
    assert list(Procedure.objects.get(code=w.procedures["only_a"].code).agencies.all()) == [new]


def test_xlsx_export_keeps_a_name_typed_as_a_formula_as_text(province, tmp_path):
    import_catalog(DEMO)
    evil = '=HYPERLINK("http://evil.example";"Đăng ký khai sinh")'
    proc = Procedure.objects.order_by("code").first()
    Procedure.objects.filter(pk=proc.pk).update(name=evil, fee_note="-50% lệ phí khi nộp trực tuyến")
    path = tmp_path / "catalog.xlsx"
    export_catalog(path)
    cells = [c for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for text in (evil, "-50% lệ phí khi nộp trực tuyến"):
        cell = next(c for c in cells if c.value == text)
        assert cell.data_type == "s" and cell.quotePrefix
    Procedure.objects.all().delete()
    import_catalog(path)
    assert Procedure.objects.get(code=proc.code).name == evil  # reads back the same words
