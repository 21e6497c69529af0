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
