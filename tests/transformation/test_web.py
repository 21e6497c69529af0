"""Back-office screens of digital transformation, as officers use them (htmx fragments and plain posts)."""

import datetime as dt
import re

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.transformation.models import (
    Activity,
    BudgetLine,
    CommunityTeam,
    FundingSource,
    Plan,
    ReportingRound,
    Task,
    TaskGroup,
)
from motcua.transformation.services import plans
from motcua.transformation.services.catalogue import resolve_sources, source_codes
from motcua.transformation.xlsx.importer import import_plan
from tests.factories import officer
from tests.web.conftest import pdf_bytes

from .conftest import seed_file

pytestmark = pytest.mark.django_db
BASE = "/can-bo/chuyen-doi-so"
HX = {"HTTP_HX_REQUEST": "true"}


def test_a_commune_admin_builds_a_plan_on_the_editor(signed_in, dx):
    c = signed_in(dx.dp_admin)
    home = c.get(f"{BASE}/")
    assert home.status_code == 200 and 'href="/can-bo/chuyen-doi-so/"' in home.content.decode()
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": dx.dp.pk, "year": 2024, "kind": "plan"})
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{BASE}/ke-hoach/{plan.pk}/"
    r = c.post(f"{BASE}/ke-hoach/{plan.pk}/nhom/", {"title": "Nhóm phát triển chính quyền số"}, **HX)
    assert r.status_code == 200 and 'id="dx-sections"' in r.content.decode() and "<html" not in r.content.decode()
    section = plan.sections.get()
    r = c.post(f"{BASE}/ke-hoach/{plan.pk}/nhom/{section.pk}/nhiem-vu/",
               {"content": "Số hóa hồ sơ, kết quả giải quyết TTHC", "deadline": "2024-12-31"}, **HX)
    task = Task.objects.get()
    assert r.status_code == 200 and "Số hóa hồ sơ, kết quả giải quyết TTHC" in r.content.decode()
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/kinh-phi/", {"planned": "-5", "sources": "NST"}, **HX)
    assert r.status_code == 422 and "Kinh phí: Kinh phí không được âm." in r.content.decode()
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/kinh-phi/", {"planned": "100", "sources": "Quỹ ABC", "year": "2024"},
               **HX)
    html = r.content.decode()
    assert r.status_code == 422 and "Nguồn vốn không có trong danh mục" in html
    # the line as typed, in that task's reopened panel, to correct the source and send again
    assert f'id="kp-{task.pk}" type="text" name="planned" inputmode="decimal" placeholder="92,460" value="100"' in html
    assert 'value="Quỹ ABC"' in html and 'value="2024"' in html and '<details class="inline" open><summary>Cập nhật' in html
    r = c.post(f"{BASE}/ke-hoach/{plan.pk}/nhom/{section.pk}/nhiem-vu/",
               {"content": "Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng", "lead_text": "Phòng Văn hóa",
                "deadline": "2025-02-01"}, **HX)
    html = r.content.decode()
    assert r.status_code == 422 and "Thời hạn 01/02/2025 nằm ngoài năm của kế hoạch (2024)." in html
    # what was typed is still in the (reopened) form of that group, to correct the date and send again
    assert "Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng</textarea>" in html and "Phòng Văn hóa</textarea>" in html
    assert 'value="2025-02-01"' in html and "<details class=\"inline\" open>" in html
    # a result with a mistyped progress: the task's form comes back in its place, as typed, with the reason
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/sua/", {"status": "in_progress", "progress": "150",
                                                  "result": "Đã số hóa 1.200 hồ sơ"}, **HX)
    html = r.content.decode()
    assert r.status_code == 422 and r["HX-Retarget"] == f"#task-form-{task.pk}" and r["HX-Reswap"] == "outerHTML"
    assert html.startswith(f'<form id="task-form-{task.pk}"') and "Tiến độ từ 0 đến 100." in html
    assert "Đã số hóa 1.200 hồ sơ</textarea>" in html and not Task.objects.get(pk=task.pk).result
    assert not BudgetLine.objects.exists() and Task.objects.count() == 1
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/kinh-phi/", {"planned": "92,460", "sources": "CTX, NSH"}, **HX)
    assert r.status_code == 200 and "92,460" in r.content.decode()
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/minh-chung/", {"file": SimpleUploadedFile("bien-ban.pdf", pdf_bytes())},
               **HX)
    att = task.evidence.get()
    assert r.status_code == 200 and f"{BASE}/minh-chung/{att.pk}/" in r.content.decode()
    assert c.get(f"{BASE}/minh-chung/{att.pk}/").status_code == 200
    r = c.post(f"{BASE}/ke-hoach/{plan.pk}/chi-tieu/", {"measure": "households_internet", "value": "bảy mươi",
                                                        "comparator": "gt", "name": "Hộ có Internet cáp quang"}, **HX)
    html = r.content.decode()
    assert r.status_code == 422 and not plan.targets.exists()
    assert 'value="bảy mươi"' in html and 'value="Hộ có Internet cáp quang"' in html
    assert '<details class="inline" open><summary>Thêm chỉ tiêu' in html
    r = c.post(f"{BASE}/ke-hoach/{plan.pk}/chi-tieu/", {"measure": "households_internet", "value": "70",
                                                        "comparator": "gt"}, **HX)
    assert r.status_code == 200 and "&gt; 70 %" in r.content.decode()
    assert '<details class="inline" open><summary>Thêm chỉ tiêu' not in r.content.decode()  # saved: closed, empty
    target = plan.targets.get()
    r = c.post(f"{BASE}/chi-tieu/{target.pk}/gia-tri/", {"value": "72,5 phần trăm", "note": "Số liệu VNPT tháng 11"},
               **HX)
    html = r.content.decode()
    assert r.status_code == 422 and 'value="72,5 phần trăm"' in html and 'value="Số liệu VNPT tháng 11"' in html
    assert '<details class="inline" open><summary>Nhập giá trị' in html
    r = c.post(f"{BASE}/chi-tieu/{target.pk}/gia-tri/", {"value": "72,5", "note": "VNPT",
                                                        "evidence": SimpleUploadedFile("so-lieu.pdf", pdf_bytes())},
               **HX)
    assert r.status_code == 200 and "72,5 %" in r.content.decode() and "Đạt" in r.content.decode()
    page = c.get(f"{BASE}/ke-hoach/{plan.pk}/").content.decode()
    # the line keeps the decimals it was typed with; a total shows its own (seed 004: 92,460 in 6.992,46)
    assert 'id="tong-kinh-phi">92,46<' in page and ">92,460<" in page and "so-lieu.pdf" in page
    # another ward cannot see it, nor post into it
    other = signed_in(dx.ct_admin)
    assert other.get(f"{BASE}/ke-hoach/{plan.pk}/").status_code == 404
    assert other.post(f"{BASE}/nhiem-vu/{task.pk}/kinh-phi/", {"planned": "1"}, **HX).status_code == 404
    assert BudgetLine.objects.count() == 1


def test_import_previews_then_writes(signed_in, dx):
    c = signed_in(dx.dp_admin)
    form = {"agency": dx.dp.pk, "year": 2024, "kind": "plan"}
    r = c.post(f"{BASE}/nhap/", {**form, "file": SimpleUploadedFile("pl2.xlsx", seed_file("seed004_pl2"))})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="tong-xem-truoc">13.570<' in html and not Plan.objects.exists()
    token = re.search(r'name="token" value="(\w+)"', html).group(1)
    r = c.post(f"{BASE}/nhap/", {"buoc": "xac-nhan", "token": token})
    plan = Plan.objects.get()
    assert r.status_code == 302 and plan.tasks.count() == 12
    bad = c.post(f"{BASE}/nhap/", {**form, "year": 2025, "file": SimpleUploadedFile("pl2.xlsx", seed_file("seed004_pl2"))})
    assert bad.status_code == 422 and "nằm ngoài năm của kế hoạch (2025)" in bad.content.decode()
    assert Plan.objects.count() == 1


def test_my_tasks_with_deadline_colours(signed_in, dx):
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=timezone.localdate().year)
    section = plans.add_section(dx.dp_admin, plan, title="Nhóm I")
    today = timezone.localdate()
    soon = plans.add_task(dx.dp_admin, plan, section=section, content="Sắp đến hạn",
                          deadline=min(today + dt.timedelta(days=10), dt.date(today.year, 12, 31)))
    plans.add_task(dx.dp_admin, plan, section=section, content="Cuối năm", lead_agencies=[dx.dp])
    # the ward's report of money spent in 2021–2023 (seed 004, Phụ lục I) lists past work, not tasks to do
    import_plan(dx.dp_admin, seed_file("seed004_pl1"), agency=dx.dp, year=2023, kind=Plan.REPORT, first_year=2021)
    c = signed_in(dx.dp_counter)
    html = c.get(f"{BASE}/nhiem-vu-cua-toi/").content.decode()
    assert html.index("Sắp đến hạn") < html.index("Cuối năm") and 'class="due-soon"' in html
    assert "Trung tâm Điều hành Thông minh IOC" not in html and html.count('<tr id="nv-') == 2
    # a mistyped progress: the page comes back with the result as it was typed and the reason, nothing saved
    r = c.post(f"{BASE}/nhiem-vu/{soon.pk}/sua/", {"status": "in_progress", "progress": "150",
                                                    "result": "Đã lắp đặt 3 máy quét tại Bộ phận Một cửa",
                                                    "next": f"{BASE}/nhiem-vu-cua-toi/"})
    html = r.content.decode()
    assert r.status_code == 422 and "Tiến độ từ 0 đến 100." in html
    assert "Đã lắp đặt 3 máy quét tại Bộ phận Một cửa</textarea>" in html and 'value="150"' in html
    assert Task.objects.get(pk=soon.pk).progress == 0 and not Task.objects.get(pk=soon.pk).result
    r = c.post(f"{BASE}/nhiem-vu/{soon.pk}/sua/", {"status": "in_progress", "progress": "40", "result": "Đã khảo sát",
                                                    "next": f"{BASE}/nhiem-vu-cua-toi/"})
    assert r["Location"] == f"{BASE}/nhiem-vu-cua-toi/" and Task.objects.get(pk=soon.pk).progress == 40
    # reported done with the old 40 % still in its box: done is done in full, as the plan's roll-up counts it
    c.post(f"{BASE}/nhiem-vu/{soon.pk}/sua/", {"status": "done", "progress": "40", "result": "Đã lắp đặt xong",
                                               "next": f"{BASE}/nhiem-vu-cua-toi/"})
    assert (Task.objects.get(pk=soon.pk).status, Task.objects.get(pk=soon.pk).progress) == (Task.DONE, 100)


def test_a_report_of_past_spending_has_no_overdue_rows(signed_in, dx):
    """A report (seed 004, Phụ lục I: money spent in 2021–2023) lists work of past years: none of it is «Quá hạn»;
    a plan's task whose deadline passed still is."""
    report = import_plan(dx.dp_admin, seed_file("seed004_pl1"), agency=dx.dp, year=2023, kind=Plan.REPORT,
                         first_year=2021).plan
    c = signed_in(dx.dp_admin)
    html = c.get(f"{BASE}/ke-hoach/{report.pk}/").content.decode()
    assert "Trung tâm Điều hành Thông minh IOC" in html and "Quá hạn" not in html and 'class="overdue"' not in html
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=timezone.localdate().year)
    section = plans.add_section(dx.dp_admin, plan, title="Nhóm I")
    late = plans.add_task(dx.dp_admin, plan, section=section, content="Việc trễ",
                          deadline=dt.date(plan.year, 1, 2))
    html = c.get(f"{BASE}/ke-hoach/{plan.pk}/").content.decode()
    assert f'<tr id="task-{late.pk}" class="overdue">' in html and "Quá hạn" in html


def test_round_dashboard_and_who_has_not_reported(signed_in, dx):
    admin = signed_in(dx.admin)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    r = admin.post(f"{BASE}/ky-bao-cao/", {"year": 2024, "deadline": deadline.isoformat(), "reminder_days": "7,3,1",
                                           "kinds": ["commune_committee"]})
    rnd = ReportingRound.objects.get()
    assert r.status_code == 302 and rnd.responses.count() == 2
    import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024)
    import_plan(dx.ct_admin, seed_file("seed000_list"), agency=dx.ct, year=2024)
    dp = signed_in(dx.dp_admin)
    assert dp.post(f"{BASE}/ky-bao-cao/{rnd.pk}/don-vi/21025/").status_code == 404  # another ward: not even seen
    r = dp.post(f"{BASE}/ky-bao-cao/{rnd.pk}/don-vi/21439/")
    assert r.status_code == 302
    admin = signed_in(dx.admin)
    html = admin.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert re.search(r'id="danh-sach-chua-bao-cao"><li>UBND phường Cẩm Thành', html)
    dash = admin.get(f"{BASE}/tong-hop/?nam=2024").content.decode()
    assert 'id="kpi-kinh-phi">30.070<' in dash and "<svg" in dash and "Đô thị thông minh" in dash
    assert 'id="don-vi-chua-bao-cao">UBND phường Cẩm Thành<' in dash
    assert admin.post(f"{BASE}/ky-bao-cao/{rnd.pk}/nhac/").status_code == 302
    auditor = signed_in(dx.auditor)
    assert auditor.get(f"{BASE}/tong-hop/?nam=2024").status_code == 200
    plan = Plan.objects.get(agency=dx.dp)
    assert "Thêm nhiệm vụ" not in auditor.get(f"{BASE}/ke-hoach/{plan.pk}/").content.decode()


def test_catalogue_is_kept_by_the_provincial_admin(signed_in, dx):
    c = signed_in(dx.dp_admin)
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "code": "ODA", "name": "Vốn ODA"})
    assert r.status_code == 403
    c = signed_in(dx.admin)
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "code": "ODA", "name": "Vốn ODA, vay", "is_active": "on"})
    assert r.status_code == 422 and "không được chứa dấu phẩy" in r.content.decode()
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "code": "ODA", "name": "Vốn ODA", "is_active": "on"})
    assert r.status_code == 302 and "Vốn ODA" in c.get(f"{BASE}/danh-muc/").content.decode()
    # the form has no "order": a new source goes last, and renaming one (same code) keeps its place, so the
    # sources of a budget line still print in the catalogue's order ("CTX, NST", not "NST, CTX")
    before = dict(FundingSource.objects.values_list("code", "order"))
    assert before["ODA"] == max(before.values())
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "code": "NST", "name": "Ngân sách cấp tỉnh", "is_active": "on"})
    assert r.status_code == 302 and dict(FundingSource.objects.values_list("code", "order")) == before
    assert source_codes(resolve_sources("Ngân sách cấp tỉnh, CTX")) == "CTX, NST"
    for order in ("abc", "1,5", "-1", "99999"):  # typed by hand into the post: a message, not a server error
        r = c.post(f"{BASE}/danh-muc/", {"loai": "nhom", "code": "thu", "name": "Nhóm thử", "order": order})
        assert r.status_code == 422 and "Thứ tự phải là số nguyên từ 0 đến 32.767." in r.content.decode()
    assert not TaskGroup.objects.filter(code="thu").exists()
    # «Sửa» on a row: the form holds the entry as it is, so a rename sent from it keeps its other names and state
    FundingSource.objects.filter(code="NST").update(aliases="Ngân sách tỉnh\nNS tỉnh")
    nst = FundingSource.objects.get(code="NST")
    html = c.get(f"{BASE}/danh-muc/", {"sua-nguon": "NST"}).content.decode()
    assert "Sửa nguồn vốn NST" in html and f'name="pk" value="{nst.pk}"' in html
    assert ">Ngân sách tỉnh\nNS tỉnh</textarea>" in html and 'value="Ngân sách cấp tỉnh"' in html
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "pk": nst.pk, "code": "NST", "name": "Ngân sách tỉnh Quảng Ngãi",
                                     "aliases": "Ngân sách tỉnh\nNS tỉnh", "is_active": "on"})
    assert r.status_code == 302
    nst.refresh_from_db()
    assert (nst.name, nst.aliases, nst.is_active) == ("Ngân sách tỉnh Quảng Ngãi", "Ngân sách tỉnh\nNS tỉnh", True)
    # a refused save comes back as typed; an entry the page never showed is a message, not a server error
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nhom", "code": "Sai Mã", "name": "Nhóm hạ tầng số",
                                     "aliases": "Hạ tầng\nHạ tầng số"})
    html = r.content.decode()
    assert r.status_code == 422 and 'value="Nhóm hạ tầng số"' in html and ">Hạ tầng\nHạ tầng số</textarea>" in html
    r = c.post(f"{BASE}/danh-muc/", {"loai": "nguon", "pk": "999999", "code": "NST", "name": "Ngân sách tỉnh"})
    assert r.status_code == 404 and "Không tìm thấy mục danh mục đang sửa" in r.content.decode()


def test_community_teams_and_trainings(signed_in, dx):
    c = signed_in(dx.dp_admin)
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "to", "don-vi": dx.dp.code, "to-members": "15",
                                             "to-decision": "Quyết định số 3381/QĐ-UBND ngày 07/10/2022"})
    assert r.status_code == 302
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "hd", "don-vi": dx.dp.code, "hd-kind": "training",
                                             "hd-date": "2026-05-02", "hd-title": "Tập huấn", "hd-participants": "-4"})
    assert r.status_code == 422 and "Số người không âm." in r.content.decode()
    # a year typed 2062 for 2026 would count the people trained in a year that has not come
    today = timezone.localdate()
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "hd", "don-vi": dx.dp.code, "hd-kind": "training",
                                             "hd-date": (today + dt.timedelta(days=1)).isoformat(),
                                             "hd-title": "Tập huấn", "hd-participants": "40"})
    html = r.content.decode()
    assert r.status_code == 422 and f"Ngày hoạt động không được sau hôm nay ({today:%d/%m/%Y})" in html
    assert f'max="{today.isoformat()}"' in html and 'value="Tập huấn"' in html
    assert not Activity.objects.filter(agency=dx.dp).exists()
    html = c.get(f"{BASE}/to-cong-nghe-so/?don-vi={dx.dp.code}").content.decode()
    assert "Quyết định số 3381/QĐ-UBND" in html
    assert signed_in(dx.ct_admin).get(f"{BASE}/to-cong-nghe-so/?don-vi={dx.dp.code}").status_code == 403



def test_a_province_wide_reader_chooses_the_unit_of_the_community_teams_page(signed_in, dx):
    """A province-wide officer (and the auditor) keeps no unit's teams: the page without a unit lets them choose one of
    the units they read, instead of refusing them; the unit chosen is shown read-only, a post changes nothing. An
    officer who reads one unit and keeps none of its teams (the counter) sees that unit's page."""
    c = signed_in(dx.dp_admin)
    assert c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "to", "don-vi": dx.dp.code, "to-members": "15",
                                                "to-decision": "Quyết định số 3381/QĐ-UBND"}).status_code == 302
    reader = officer("leader", None, username="ld.toantinh")
    for who in (reader, dx.auditor):
        c = signed_in(who)
        r = c.get(f"{BASE}/to-cong-nghe-so/")
        assert r.status_code == 200
        page = lxml.html.fromstring(r.content)
        choices = page.xpath("//select[@name='don-vi']/option")
        assert [o.get("value") for o in choices][:1] == [""]
        assert {dx.dp.code, dx.ct.code} <= {o.get("value") for o in choices}
        assert page.xpath("//*[@id='chon-don-vi']") and not page.xpath("//input[@name='loai']")
        r = c.get(f"{BASE}/to-cong-nghe-so/", {"don-vi": dx.dp.code})
        assert r.status_code == 200 and "Quyết định số 3381/QĐ-UBND" in r.content.decode()
        assert "Thêm tổ" not in r.content.decode() and "Thêm hoạt động" not in r.content.decode()
        r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "to", "don-vi": dx.dp.code, "to-members": "9"})
        assert r.status_code == 403
    assert CommunityTeam.objects.filter(agency=dx.dp).count() == 1
    r = signed_in(dx.dp_counter).get(f"{BASE}/to-cong-nghe-so/")
    assert r.status_code == 200 and "Quyết định số 3381/QĐ-UBND" in r.content.decode()
    assert "Thêm tổ" not in r.content.decode()

def test_the_annual_report_link_is_shown_only_to_who_may_open_it(signed_in, dx):
    plan = plans.create_plan(dx.admin, agency=dx.province, year=2026)
    link = f"{BASE}/bao-cao-nam/{dx.province.code}/2026/"
    commune = signed_in(dx.dp_admin).get(f"{BASE}/ke-hoach/{plan.pk}/")
    assert commune.status_code == 200 and link not in commune.content.decode()  # no link to a page it may not see
    assert signed_in(dx.dp_admin).get(link).status_code == 404
    province = signed_in(dx.admin).get(f"{BASE}/ke-hoach/{plan.pk}/")
    assert link in province.content.decode() and signed_in(dx.admin).get(link).status_code == 200


def test_the_amount_disbursed_is_reported_on_the_plan_page_also_once_approved(signed_in, dx):
    """The approved plan's page says "chỉ cập nhật kết quả, tiến độ, giải ngân và minh chứng": giải ngân is typed
    per budget line, checked like any amount, and reaches the plan's row and the province's roll-up."""
    import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024)
    plan = Plan.objects.get(agency=dx.dp)
    plans.approve_plan(dx.dp_leader, plan)
    line = BudgetLine.objects.get(task__plan=plan, planned_vnd=2_000_000_000)  # Số hóa hồ sơ: 2.000
    c = signed_in(dx.dp_admin)
    page = c.get(f"{BASE}/ke-hoach/{plan.pk}/").content.decode()
    assert f'action="{BASE}/kinh-phi/{line.pk}/giai-ngan/"' in page and "Thêm kinh phí" not in page
    r = c.post(f"{BASE}/kinh-phi/{line.pk}/giai-ngan/", {"disbursed": "1.250,5"}, **HX)
    assert r.status_code == 200 and "đã giải ngân 1.250,5" in r.content.decode()
    line.refresh_from_db()
    assert line.disbursed_vnd == 1_250_500_000 and line.planned_vnd == 2_000_000_000
    r = c.post(f"{BASE}/kinh-phi/{line.pk}/giai-ngan/", {"disbursed": "1,250,5"}, **HX)
    assert r.status_code == 422 and "Giải ngân: Kinh phí “1,250,5” không phải số triệu đồng" in r.content.decode()
    counter = signed_in(dx.dp_counter)  # an officer of the ward who does not edit plans
    assert counter.post(f"{BASE}/kinh-phi/{line.pk}/giai-ngan/", {"disbursed": "5"}, **HX).status_code == 403
    assert signed_in(dx.ct_admin).post(f"{BASE}/kinh-phi/{line.pk}/giai-ngan/", {"disbursed": "5"}).status_code == 404
    line.refresh_from_db()
    assert line.disbursed_vnd == 1_250_500_000
    dash = signed_in(dx.admin).get(f"{BASE}/tong-hop/?nam=2024").content.decode()
    assert re.search(r"<b>1\.250,5</b>Đã giải ngân", dash)


def test_a_department_reports_on_the_province_tasks_it_leads(signed_in, dx):
    """The lead unit written on a task ("Sở Khoa học và Công nghệ") is the unit in the system when it names exactly
    one: its officers find the task in "my tasks" and report its result; a lead written for many ("các địa
    phương") stays text, and the plan's own unit reports on it."""
    from motcua.demo.transformation import workbook

    plan = plans.create_plan(dx.admin, agency=dx.province, year=2026)
    section = plans.add_section(dx.admin, plan, title="Phát triển chính quyền số")
    led = plans.add_task(dx.admin, plan, section=section, content="Giám sát an toàn thông tin hệ thống một cửa",
                         lead_text="Sở Khoa học và Công nghệ", year=2026)
    other = plans.add_task(dx.admin, plan, section=section, content="Hội nghị truyền hình đến các xã",
                           lead_text="Văn phòng UBND tỉnh; các địa phương", year=2026)
    plans.approve_plan(dx.admin, plan)
    assert list(led.lead_agencies.all()) == [dx.dept] and not other.lead_agencies.exists()
    c = signed_in(dx.dept_head)
    html = c.get(f"{BASE}/nhiem-vu-cua-toi/").content.decode()
    assert "Giám sát an toàn thông tin hệ thống một cửa" in html and "Hội nghị truyền hình" not in html
    r = c.post(f"{BASE}/nhiem-vu/{led.pk}/sua/", {"status": "in_progress", "progress": "40",
                                                 "result": "Đã giám sát 12 hệ thống", "next": f"{BASE}/nhiem-vu-cua-toi/"})
    assert r.status_code == 302 and Task.objects.get(pk=led.pk).result == "Đã giám sát 12 hệ thống"
    r = c.post(f"{BASE}/nhiem-vu/{other.pk}/sua/", {"status": "done", "progress": "100"}, **HX)
    assert r.status_code == 403 and Task.objects.get(pk=other.pk).status == Task.NOT_STARTED
    # a plan imported from a spreadsheet: the same for its lead column
    rows = [["I", "Phát triển chính quyền số"],
            ["1", "Số hóa kết quả giải quyết thủ tục hành chính", "UBND phường Đức Phổ", "80", "CTX", "31/12/2026"],
            ["2", "Tập huấn kỹ năng số", "UBND các xã, phường", "30", "CTX", "2026"]]
    imported = import_plan(dx.dp_admin, workbook("Kế hoạch", "UBND phường Đức Phổ", rows), agency=dx.dp, year=2026)
    first, second = imported.plan.tasks.order_by("order")
    assert list(first.lead_agencies.all()) == [dx.dp] and not second.lead_agencies.exists()


@pytest.mark.parametrize("number", ["²", "١٢", "99999999999999999999", "2026-13-45", "1" * 5000])
def test_a_year_or_id_that_is_no_number_is_answered_not_a_500(signed_in, dx, number):
    # "²" passes str.isdigit() and fails int(): the plans list, the dashboard, the catalogue's "pk" and the papers'
    # plan and year used to answer it with a server error; so did 5,000 digits (int() refuses over 4,300).
    admin = signed_in(dx.admin)
    assert admin.get(f"{BASE}/", {"nam": number}).status_code == 200  # every year's plans
    dash = admin.get(f"{BASE}/tong-hop/", {"nam": number})
    assert dash.status_code == 200 and f"năm {timezone.localdate().year}" in dash.content.decode().lower()
    r = admin.post(f"{BASE}/danh-muc/", {"loai": "nguon", "pk": number, "code": "ODA", "name": "Vốn ODA"})
    assert r.status_code == 404 and "Không tìm thấy mục danh mục đang sửa" in r.content.decode()
    assert not FundingSource.objects.filter(code="ODA").exists()
    assert admin.post(f"{BASE}/giay-to/", {"loai": "plan", "ke_hoach": number, "dinh_dang": "pdf"}).status_code == 404
    r = admin.post(f"{BASE}/giay-to/", {"loai": "annual", "don_vi": "21439", "nam": number, "dinh_dang": "pdf"})
    assert r.status_code == 404


def test_reminder_days_that_are_no_numbers_are_a_message(signed_in, dx):
    admin = signed_in(dx.admin)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    r = admin.post(f"{BASE}/ky-bao-cao/", {"year": 2024, "deadline": deadline.isoformat(), "reminder_days": "7,²",
                                           "kinds": ["commune_committee"]})
    assert r.status_code in (400, 422) and "Số ngày nhắc trước hạn là các số từ 0 đến 60" in r.content.decode()
    assert not ReportingRound.objects.exists()


def test_the_province_closes_a_round_on_its_page_and_then_nothing_is_sent_nor_reminded(signed_in, dx):
    """Closing was possible only in Django's admin (and there without a trace); the round's page closes it."""
    from motcua.audit.models import AuditEntry
    from motcua.outbox.models import OutboxEvent

    admin = signed_in(dx.admin)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    admin.post(f"{BASE}/ky-bao-cao/", {"year": 2024, "deadline": deadline.isoformat(), "reminder_days": "7,3,1",
                                       "kinds": ["commune_committee"]})
    rnd = ReportingRound.objects.get()
    page = admin.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert "Đóng kỳ báo cáo" in page and "2 đơn vị chưa báo cáo không gửi được nữa" in page
    unit_admin = signed_in(dx.dp_admin)
    assert "Đóng kỳ báo cáo" not in unit_admin.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert unit_admin.post(f"{BASE}/ky-bao-cao/{rnd.pk}/dong/").status_code == 403
    assert ReportingRound.objects.get().status == ReportingRound.OPEN

    admin = signed_in(dx.admin)
    r = admin.post(f"{BASE}/ky-bao-cao/{rnd.pk}/dong/", follow=True)
    assert "Đã đóng kỳ báo cáo" in r.content.decode() and ReportingRound.objects.get().status == ReportingRound.CLOSED
    entry = AuditEntry.objects.filter(action="dx.round_closed").get()
    assert entry.data == {"reported": 0, "pending": 2}
    page = r.content.decode()
    assert "Đóng kỳ báo cáo…" not in page and "Nhắc ngay" not in page
    reminders = OutboxEvent.objects.filter(topic="notice.dx_round_reminder").count()
    r = admin.post(f"{BASE}/ky-bao-cao/{rnd.pk}/nhac/", follow=True)  # a stale page's button
    assert "Kỳ báo cáo đã đóng: không nhắc nữa." in r.content.decode()
    assert OutboxEvent.objects.filter(topic="notice.dx_round_reminder").count() == reminders
    r = admin.post(f"{BASE}/ky-bao-cao/{rnd.pk}/dong/", follow=True)  # twice: said, nothing recorded again
    assert "Kỳ báo cáo đã đóng." in r.content.decode() and AuditEntry.objects.filter(action="dx.round_closed").count() == 1
    import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024)
    r = signed_in(dx.dp_admin).post(f"{BASE}/ky-bao-cao/{rnd.pk}/don-vi/21439/")
    assert r.status_code == 409 and "Kỳ báo cáo đã đóng." in r.content.decode()
