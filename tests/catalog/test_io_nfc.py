"""A catalog file whose Vietnamese is decomposed (NFD: typed with Unikey's «Unicode tổ hợp», copied from a PDF)
imports as the precomposed text (core.text.nfc in import_catalog_data): a name within its field's length is not
refused as too long (a decomposed letter counts two or three code points), and what is stored, searched and printed
is one form."""

import json
import unicodedata

import pytest

from motcua.catalog.io import import_catalog
from motcua.catalog.models import Field, Procedure

from .test_io import demo

pytestmark = pytest.mark.django_db


def test_a_decomposed_catalog_file_imports_precomposed_within_its_lengths(province, tmp_path):
    data = demo()
    proc = data["procedures"][0]
    name = ("Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khắc gắn liền với "
            "đất do bị mất, hư hỏng, thay đổi thông tin ") * 4
    name = name[:500].strip()
    assert len(name) <= 500 < len(unicodedata.normalize("NFD", name))  # Procedure.name: max_length=500
    proc["name"] = name
    path = tmp_path / "danh-muc.json"
    path.write_text(unicodedata.normalize("NFD", json.dumps(data, ensure_ascii=False)), encoding="utf-8")
    import_catalog(path)
    assert Procedure.objects.get(code=proc["code"]).name == name
    field = data["fields"][0]
    assert Field.objects.get(code=field["code"]).name == field["name"]
