"""A unit receives another unit's tasks by a merger of administrative units or as the successor an administrator
recorded in the admin (fixture `both`: three tasks by the merger, «Chợ số» as successor). The words that cover all
of them said «… khi sắp xếp đơn vị hành chính», wrong for the successor's: the group's title now fits both
(«Nhiệm vụ nhận chuyển giao từ đơn vị khác»), and a count says how many came each way. A paper printed with the
old title is still read back."""

import io

import pytest
from openpyxl import load_workbook

from motcua.papers.transformation import annual
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import Plan
from motcua.transformation.services.merger import RECEIVED_GROUP
from tests.vietnamese import docx_text

from .test_reorganization_import import merged  # noqa: F401  (the fixture `both` builds on)
from .test_reorganization_successor_print import both, plan_import  # noqa: F401

pytestmark = pytest.mark.django_db
OLD_TITLE = "Nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính"
BOTH_KINDS = "3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính và 1 nhiệm vụ nhận với tư cách cơ quan kế thừa"


def _printed_with(data: bytes, title: str) -> bytes:
    """The results appendix with its group of received tasks titled `title`, and its rows without «(nhận từ …)»:
    only the group says they were received."""
    wb = load_workbook(io.BytesIO(data))
    for row in wb.worksheets[0].iter_rows():
        for cell in row:
            if cell.value == RECEIVED_GROUP:
                cell.value = title
            elif isinstance(cell.value, str) and " (nhận từ " in cell.value:
                cell.value = cell.value.split(" (nhận từ ")[0]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("title", ["Nhiệm vụ nhận chuyển giao từ đơn vị khác", OLD_TITLE])
def test_a_printed_appendix_titled_either_way_imports_back(both, title):  # noqa: F811
    m = both
    printed = plan_paper("task_results", m["own"], "xlsx")
    data = _printed_with(printed, title)
    assert data != printed  # the title and the rows were found and rewritten
    preview = plan_import(m, data, dry_run=True)
    assert preview.tasks == 1 and not preview.parsed.errors
    assert [s.title for s in preview.parsed.sections if s.received] == [title]
    assert sorted(t.content for t in preview.parsed.received) == [
        "Camera an ninh", "Chợ số", "Số hóa hồ sơ một cửa", "Tập huấn kỹ năng số"]
    assert preview.received_note == f"{BOTH_KINDS} không thêm vào kế hoạch (đã có, tính một lần); sẽ cập nhật kết " \
                                    "quả đã ghi."
    plan_import(m, data)
    assert [t.content for t in Plan.objects.get(pk=m["own"].pk).tasks.all()] == ["Cổng thông tin điện tử xã"]


def test_the_papers_print_the_title_that_fits_both(both):  # noqa: F811
    m = both
    texts = [c for row in load_workbook(io.BytesIO(plan_paper("task_results", m["own"], "xlsx"))).worksheets[0]
             .iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert RECEIVED_GROUP in texts and OLD_TITLE not in texts
    report = docx_text(annual.build_docx(m["new"], m["year"]))
    assert RECEIVED_GROUP in report and OLD_TITLE not in report


def test_the_annual_report_counts_the_received_tasks_by_how_they_came(both, signed_in):  # noqa: F811
    m = both
    report = docx_text(annual.build_docx(m["new"], m["year"]))
    assert f"5 nhiệm vụ (gồm {BOTH_KINDS}); hoàn thành 0" in report
    page = signed_in(m["la"]).get(f"/can-bo/chuyen-doi-so/ke-hoach/{m['own'].pk}/").content.decode()
    assert f'id="nhiem-vu-nhan-chuyen-giao"><h2>{RECEIVED_GROUP}</h2>' in page
