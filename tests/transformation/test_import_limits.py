"""What the plan import keeps of a file: a group title longer than the 500 characters a plan keeps was cut silently
on import (the preview showed it whole); now its row is named in the preview and nothing is written. A sheet with
thousands of columns was parsed cell by cell; only the columns a plan's table uses (A–AD) are read now, and a
heading row further right is refused by name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import issue_token
from motcua.transformation.models import Plan, PlanSection, Task

from .test_import import _bad

pytestmark = pytest.mark.django_db
HEADER = ("STT", "Nội dung nhiệm vụ", "Kinh phí (triệu đồng)", "Nguồn vốn", "Thời gian thực hiện")
TASK = ["1", "Mua máy quét", "500", "NST", "2024"]


def _post(dx, data, dry_run="false"):
    token = issue_token(dx.dp_admin, "thử")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}).post("/api/v1/transformation/plans/import", {
        "file": SimpleUploadedFile("ke-hoach.xlsx", data), "unit": "21439", "year": 2024, "dry_run": dry_run})


@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_a_group_title_longer_than_a_plan_keeps_is_named_with_its_row(dx, dry_run):
    title = "Nhóm phát triển chính quyền số " + "và dữ liệu số " * 40  # 591 characters
    r = _post(dx, _bad([["II", title.strip()], TASK]), dry_run)
    assert r.status_code == 422 and r.json()["code"] == "plan_import_invalid", r.content
    first = r.json()["details"]["errors"][0]
    assert first["row"] == 3
    assert first["message"] == f"Tên nhóm “Nhóm phát triển chính quyền số và dữ…” dài quá 500 ký tự (có " \
                               f"{len(title.strip())} ký tự)."
    assert not Plan.objects.exists() and not PlanSection.objects.exists() and not Task.objects.exists()


def test_a_title_of_exactly_500_characters_is_kept_whole(dx):
    title = ("Nhóm phát triển chính quyền số " * 20)[:500]
    r = _post(dx, _bad([["II", title], TASK]))
    assert r.status_code == 201, r.content
    assert PlanSection.objects.get(numeral="II").title == title.strip()


def test_a_heading_row_past_the_columns_read_is_refused_by_name(dx):
    r = _post(dx, _bad([TASK], header=(None,) * 30 + HEADER))
    assert r.status_code == 422 and r.json()["code"] == "xlsx_no_header", r.content
    assert "cột A–AD" in r.json()["message"]
    assert not Plan.objects.exists()


def test_cells_past_the_columns_read_are_left_out_and_the_table_is_read_as_before(dx):
    wide = ["chữ thừa"] * 3000
    r = _post(dx, _bad([TASK + [None] * 25 + wide, ["2", "Tập huấn", "100", "NSH", "2024", "ghi"] + wide],
                       header=HEADER + ("Ghi chú",) + (None,) * 24 + ("Cột thừa",) * 3000))
    assert r.status_code == 201, r.content
    tasks = list(Task.objects.order_by("order").values_list("number", "content", "note"))
    assert tasks == [("1", "Mua máy quét", ""), ("2", "Tập huấn", "ghi")]


def test_a_heading_past_the_columns_read_is_told_by_its_cell_and_the_rest_imports(dx):
    header = HEADER + (None,) * (31 - len(HEADER)) + ("Kinh phí bổ sung",)  # AE empty, AF the heading
    r = _post(dx, _bad([TASK + [None] * 26 + ["300"]], header=header), dry_run="true")
    assert r.status_code == 200, r.content
    told = "Cột AF (“Kinh phí bổ sung”, ô AF1) nằm ngoài vùng A–AD của mẫu, không được đọc."
    assert r.json()["warnings"] == [{"row": 1, "cell": "AF1", "code": "column_outside_template", "message": told}]
    assert told in r.json()["message"]
    r = _post(dx, _bad([TASK + [None] * 26 + ["300"]], header=header))
    assert r.status_code == 201 and told in r.json()["message"], r.content
    assert list(Task.objects.values_list("content", flat=True)) == ["Mua máy quét"]


def test_many_headings_past_the_columns_read_are_named_five_and_counted(dx):
    r = _post(dx, _bad([TASK], header=HEADER + (None,) * 25 + tuple(f"Cột {i}" for i in range(3000))),
              dry_run="true")
    warnings = r.json()["warnings"]
    assert [w["cell"] for w in warnings] == ["AE1", "AF1", "AG1", "AH1", "AI1", None]
    assert warnings[0]["message"].startswith("Cột AE (“Cột 0”, ô AE1)")
    assert warnings[-1]["message"] == "Dòng tiêu đề 1 còn 2.995 cột khác nằm ngoài vùng A–AD của mẫu, không được đọc."


def test_a_sheet_without_headings_past_the_columns_read_has_no_warning(dx):
    r = _post(dx, _bad([TASK + [None] * 30 + ["ghi ngoài bảng"]]), dry_run="true")
    assert r.status_code == 200 and r.json()["warnings"] == [] and r.json()["message"] == "", r.content


def test_the_back_office_preview_lists_the_headings_past_the_columns_read(dx, signed_in):
    header = HEADER + (None,) * (31 - len(HEADER)) + ("Kinh phí bổ sung",)
    r = signed_in(dx.dp_admin).post("/can-bo/chuyen-doi-so/nhap/", {
        "agency": dx.dp.pk, "year": 2024, "kind": "plan", "file": SimpleUploadedFile("k.xlsx", _bad([TASK], header))})
    assert r.status_code == 200
    assert ('<ul id="cot-ngoai-mau"><li>Cột AF (“Kinh phí bổ sung”, ô AF1) nằm ngoài vùng A–AD của mẫu, không được '
            "đọc.</li></ul>") in r.content.decode()


def test_a_sheet_of_too_many_rows_is_refused_with_its_limit_written_the_vietnamese_way(dx):
    r = _post(dx, _bad([TASK] * 5000))
    assert r.status_code == 422 and r.json() == {"code": "xlsx_too_large", "message": "Bảng tính có quá 5.000 dòng."}
    assert not Plan.objects.exists()
