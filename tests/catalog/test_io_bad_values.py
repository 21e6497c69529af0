"""A catalog file with values its columns cannot hold, or with the wrong shape where a list of rows belongs: every
one named with its place, in Vietnamese, and nothing written — before, the database refused the import mid-way
(PostgreSQL: "value too long", "smallint out of range", NUL) and the command ended in a traceback."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.models import Field, Procedure

from .test_io import demo

pytestmark = pytest.mark.django_db


def _one(path, value):
    """The demo catalog's first procedure (and its field) with the value at `path` replaced; it names no agency by
    code, so no units need loading."""
    data = demo()
    proc = data["procedures"][0]
    data["procedures"], data["fields"] = [proc], [f for f in data["fields"] if f["code"] == proc["field"]]
    obj = data
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, message", [
    (["fields", 0, "name"], "L" * 256, "Lĩnh vực thứ 1: tên dài quá 255 ký tự (256 ký tự)."),
    (["procedures", 0, "name"], "T" * 501, "tên thủ tục dài quá 500 ký tự (501 ký tự)."),
    (["procedures", 0, "name"], "T" * 1200, "tên thủ tục dài quá 500 ký tự (1.200 ký tự)."),
    (["procedures", 0, "announcing_decision"], "1" * 65, "quyết định công bố dài quá 64 ký tự (65 ký tự)."),
    (["procedures", 0, "components", 0, "name"], "G" * 501, "thành phần hồ sơ thứ 1: tên giấy tờ dài quá 500 ký tự"),
    (["procedures", 0, "steps", 0, "name"], "B" * 256, "bước thứ 1: tên bước dài quá 255 ký tự"),
    (["procedures", 0, "components", 0, "copies"], 40000, "số bản sao 40.000 vượt quá mức tối đa 32.767."),
    (["procedures", 0, "components", 0, "order"], 10**12, "thứ tự 1.000.000.000.000 vượt quá mức tối đa 32.767."),
    (["procedures", 0, "name"], "Đăng ký\x00khai sinh", "tên thủ tục chứa ký tự không hợp lệ (NUL)."),
    (["procedures", 0, "form_schema", 0, "label"], "Họ\x00tên", "biểu mẫu điện tử chứa ký tự không hợp lệ (NUL)."),
    (["fields"], "HT", "Tệp: Danh mục lĩnh vực (fields) phải là một danh sách."),
    (["fields"], ["HT"], "Lĩnh vực thứ 1: không phải một đối tượng."),
    (["procedures", 0, "components"], ["Tờ khai"], "thành phần hồ sơ thứ 1: không phải một đối tượng."),
    (["procedures", 0, "steps"], {"name": "Tiếp nhận"}, "Quy trình phải là một danh sách."),
    (["procedures", 0, "agencies"], 51, "cơ quan tiếp nhận phải là danh sách mã cơ quan."),
    (["procedures", 0, "form_schema"], [{"name": ["ho_ten"], "label": "Họ tên"}],
     "trường thứ 1 của biểu mẫu cần có name và label."),
])
def test_a_value_the_catalog_cannot_hold_is_named_and_nothing_is_written(db, tmp_path, path, value, message):
    path_ = tmp_path / "danh-muc.json"
    path_.write_text(json.dumps(_one(path, value), ensure_ascii=False), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="chưa nhập gì"):
        call_command("import_catalog", str(path_), stdout=StringIO(), stderr=err)
    assert message in err.getvalue(), err.getvalue()
    assert not Procedure.objects.exists() and not Field.objects.exists()


def _xlsx_with_a_broken_sheet(tmp_path):
    """The catalog's four sheets, that of the procedures cut in half (a download broken off, a file half-saved)."""
    import io
    import zipfile

    from openpyxl import Workbook

    from motcua.catalog.io.format import SHEETS

    wb = Workbook()
    wb.remove(wb.active)
    for title, columns in SHEETS:
        wb.create_sheet(title).append([label for _, label in columns])
    whole = io.BytesIO()
    wb.save(whole)
    cut = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole.getvalue())) as zin, zipfile.ZipFile(cut, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[:len(data) // 2] if item.filename == "xl/worksheets/sheet2.xml" else data)
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(cut.getvalue())
    return path


def _json(text, encoding):
    def write(tmp_path):
        path = tmp_path / "danh-muc.json"
        path.write_text(text, encoding=encoding)
        return path
    return write


@pytest.mark.parametrize("write, message", [
    (_xlsx_with_a_broken_sheet, "Không đọc được tệp Excel: tệp bị hỏng hoặc không phải bảng tính .xlsx (trang tính "
                                "\"Thủ tục\" không đọc được)."),
    (_json('{"procedures": [}', "utf-8"), "Không đọc được tệp JSON: sai cú pháp JSON ở dòng 1, cột 17."),
    (_json('{"procedures": []}', "utf-16"), "Không đọc được tệp JSON: tệp không phải văn bản UTF-8"),
])
def test_an_unreadable_catalog_file_is_refused_in_vietnamese_not_a_traceback(db, tmp_path, write, message):
    with pytest.raises(CommandError) as err:
        call_command("import_catalog", str(write(tmp_path)), stdout=StringIO(), stderr=StringIO())
    assert message in str(err.value)
    assert not Procedure.objects.exists()


def test_a_json_catalog_saved_with_a_byte_order_mark_is_read(db, tmp_path):
    """Windows Notepad writes UTF-8 with a BOM; json.loads refused it ("Unexpected UTF-8 BOM")."""
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps(_one(["procedures", 0, "is_sample"], True), ensure_ascii=False), encoding="utf-8-sig")
    call_command("import_catalog", str(path), stdout=StringIO(), stderr=StringIO())
    assert Procedure.objects.count() == 1
