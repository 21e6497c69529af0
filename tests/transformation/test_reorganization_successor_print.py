"""Besides the three communes a merger joins into «Xã Hợp Nhất» (fixture `merged`), a fourth stops working and an
administrator records the new commune as its successor in the admin (units.succession): the task it hands over is
not received through an administrative-unit rearrangement, so the papers print it «(nhận từ … với tư cách cơ quan
kế thừa)», and the merger's tasks still «(nhận từ … theo sắp xếp đơn vị hành chính)». A printed appendix with both
imports back: every received row is recognised as the task it names."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from motcua.papers.transformation import annual
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import Plan, Task, TaskHandover
from motcua.transformation.services import plans
from motcua.transformation.xlsx.importer import import_plan
from motcua.units import succession
from motcua.units.models import Agency
from tests.vietnamese import docx_text

from .test_reorganization_import import _typed, merged  # noqa: F401  (merged: the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(merged):  # noqa: F811
    """The fourth commune's plan of the year has «Chợ số»; its unit ended yesterday and the administrator records
    the new commune as its successor: the task is handed over by the admin's successor, not by the merger."""
    m = merged
    other, new = m["other"], m["new"]
    lo = m["leaders"][other.code]
    plan_o = plans.create_plan(lo, agency=other, year=m["year"])
    market = plans.add_task(lo, plan_o, section=plans.add_section(lo, plan_o, title="Kinh tế số"), content="Chợ số",
                            lead_agencies=[other])
    unit = other.admin_unit
    unit.valid_to = timezone.localdate() - dt.timedelta(days=1)
    unit.save(update_fields=["valid_to"])
    Agency.objects.filter(pk=other.pk).update(successor=new, is_active=False)
    other.refresh_from_db()
    succession.follow(m["admin"], other, new)
    assert TaskHandover.objects.get(task=market).reason.endswith("là cơ quan kế thừa")
    return dict(m, market=market)


def _texts(data: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_the_papers_say_how_each_received_task_was_received(both):
    m = both
    merged_row = f"Camera an ninh (nhận từ {m['b'].name} theo sắp xếp đơn vị hành chính)"
    successor_row = f"Chợ số (nhận từ {m['other'].name} với tư cách cơ quan kế thừa)"
    for kind in ("task_results", "spending"):
        texts = _texts(plan_paper(kind, m["own"], "xlsx"))
        assert merged_row in texts and successor_row in texts, kind
        assert not any(t.startswith("Chợ số") and "sắp xếp đơn vị hành chính" in t for t in texts)
    report = docx_text(annual.build_docx(m["new"], m["year"]))
    assert successor_row in report and merged_row in report


def plan_import(m, data, dry_run=False):
    return import_plan(m["la"], data, agency=m["new"], year=m["year"], replace=True, dry_run=dry_run)


def test_a_printed_appendix_with_both_kinds_imports_back(both):
    m = both
    data = _typed(plan_paper("task_results", m["own"], "xlsx"), {"Chợ số": "Đã lên sàn", "Camera an ninh": "Đã lắp"})
    preview = plan_import(m, data, dry_run=True)
    assert preview.tasks == 1
    assert sorted((t.content, t.received_from) for t in preview.parsed.received) == sorted([
        ("Số hóa hồ sơ một cửa", m["a"].name), ("Tập huấn kỹ năng số", m["a"].name),
        ("Camera an ninh", m["b"].name), ("Chợ số", m["other"].name)])
    plan_import(m, data)
    assert [t.content for t in Plan.objects.get(pk=m["own"].pk).tasks.all()] == ["Cổng thông tin điện tử xã"]
    assert Task.objects.get(pk=m["market"].pk).result == "Đã lên sàn"
    assert Task.objects.get(pk=m["tasks"]["led_b"].pk).result == "Đã lắp"
