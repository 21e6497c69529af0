"""A heading within A–AD that names none of the template's columns («Người theo dõi») was kept in
``ParsedPlan.ignored_columns`` and never told: the officer believed its column imported. It is now a warning
(``column_not_recognised``) wherever a heading past AD is told: the API's ``warnings`` and message, the back-office
preview, the command's output. A blank heading, and the headings the reader reads, are not told."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from motcua.transformation.models import Task
from motcua.transformation.xlsx.reader import parse

from .conftest import seed_file
from .test_import import _bad
from .test_import_limits import HEADER, TASK, _post

pytestmark = pytest.mark.django_db
# F the unknown heading, G a blank one (spaces), H «Ghi chú» (read)
WIDE = HEADER + ("Người theo dõi", "   ", "Ghi chú")
ROW = TASK + ["Anh Nam", "x", "ghi"]
TOLD = "Cột F (“Người theo dõi”, ô F1) không thuộc mẫu, không được đọc."


def test_a_heading_the_template_does_not_have_is_told_by_its_cell_and_the_rest_imports(dx):
    r = _post(dx, _bad([ROW], header=WIDE), dry_run="true")
    assert r.status_code == 200, r.content
    assert r.json()["warnings"] == [{"row": 1, "cell": "F1", "code": "column_not_recognised", "message": TOLD}]
    assert TOLD in r.json()["message"]
    r = _post(dx, _bad([ROW], header=WIDE))
    assert r.status_code == 201 and TOLD in r.json()["message"], r.content
    assert list(Task.objects.values_list("content", "note")) == [("Mua máy quét", "ghi")]


def test_it_is_told_beside_a_heading_past_the_columns_read(dx):
    header = WIDE + (None,) * (31 - len(WIDE)) + ("Kinh phí bổ sung",)  # AF
    r = _post(dx, _bad([ROW], header=header), dry_run="true")
    assert [(w["cell"], w["code"]) for w in r.json()["warnings"]] == [
        ("F1", "column_not_recognised"), ("AF1", "column_outside_template")]


def test_the_back_office_preview_and_the_command_tell_it(dx, signed_in, tmp_path):
    r = signed_in(dx.dp_admin).post("/can-bo/chuyen-doi-so/nhap/", {
        "agency": dx.dp.pk, "year": 2024, "kind": "plan", "file": SimpleUploadedFile("k.xlsx", _bad([ROW], WIDE))})
    assert r.status_code == 200
    assert f'<ul id="cot-ngoai-mau"><li>{TOLD}</li></ul>' in r.content.decode()
    path = tmp_path / "k.xlsx"
    path.write_bytes(_bad([ROW], WIDE))
    out = io.StringIO()
    call_command("import_plan", str(path), unit="21439", year=2024, dry_run=True, stdout=out)
    assert TOLD in out.getvalue()


@pytest.mark.parametrize("name, years", [("seed004_pl2", (2024, 2024)), ("seed004_pl1", (2021, 2023)),
                                         ("seed000_list", (2021, 2025)), ("seed003_pl04", (2024, 2024))])
def test_the_seeds_appendices_have_no_heading_told(name, years):
    """Their headings are all read (TT, Tên nhiệm vụ, Kinh phí và nguồn vốn …) or blank (under a merged heading)."""
    parsed = parse(seed_file(name), first_year=years[0], last_year=years[1])
    assert parsed.warnings == [] and parsed.ignored_columns == []
