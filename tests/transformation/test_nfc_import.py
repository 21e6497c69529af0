"""A plan's appendix re-typed or saved with its Vietnamese decomposed (NFD: Unikey's «Unicode tổ hợp», a copy from a
PDF) imports back as the same plan: its cells are read precomposed (core.text.nfc in xlsx.reader.load_rows), so the
received tasks are recognised by their content and their unit's name, not refused as tasks never received, and the
text written is the precomposed one."""

import io
import unicodedata

import pytest
from openpyxl import load_workbook

from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import Plan, Task
from motcua.transformation.xlsx.importer import import_plan

from .test_reorganization_import import _typed, merged  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _decomposed(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    changed = 0
    for row in wb.worksheets[0].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and unicodedata.normalize("NFD", cell.value) != cell.value:
                cell.value = unicodedata.normalize("NFD", cell.value)
                changed += 1
    assert changed
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_results_appendix_typed_decomposed_imports_back_as_the_same_tasks(merged):  # noqa: F811
    m = merged
    data = _decomposed(_typed(plan_paper("task_results", m["own"], "xlsx"),
                              {"Cổng thông tin": "Đã vận hành", "Số hóa hồ sơ một cửa": "Đã số hóa 80% hồ sơ"}))
    result = import_plan(m["la"], data, agency=m["new"], year=m["year"], replace=True)
    assert [t.content for t in result.parsed.received] == ["Số hóa hồ sơ một cửa", "Tập huấn kỹ năng số",
                                                             "Camera an ninh"]
    mine = Plan.objects.get(pk=m["own"].pk)
    assert [(t.content, t.result) for t in mine.tasks.all()] == [("Cổng thông tin điện tử xã", "Đã vận hành")]
    assert Task.objects.get(pk=m["tasks"]["led"].pk).result == "Đã số hóa 80% hồ sơ"
