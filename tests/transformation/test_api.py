"""The digital-transformation API: same error shape and permission model as the rest of /api/v1."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.api.auth import issue_token
from motcua.transformation.models import BudgetLine, Plan, Task
from tests.factories import citizen
from tests.web.conftest import pdf_bytes

from .conftest import seed_file

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"


@pytest.fixture
def api(dx):
    tokens = {name: issue_token(getattr(dx, name), "thử")[1] for name in ("admin", "auditor", "dp_admin", "ct_admin")}
    return lambda who: Client(headers={"Authorization": f"Bearer {tokens[who]}"})


def _xlsx(name):
    return SimpleUploadedFile(f"{name}.xlsx", seed_file(name))


def test_import_with_preview_then_read_the_plan(api, dx):
    c = api("dp_admin")
    preview = c.post(f"{API}/plans/import", {"file": _xlsx("seed004_pl2"), "unit": "21439", "year": 2024,
                                             "dry_run": "true"})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert (body["dry_run"], body["plan_id"], body["tasks"], body["planned"]) == (True, None, 12, "13.570")
    assert body["rows"][2]["sources"] == ["NSH", "NST"] and not Plan.objects.exists()
    done = c.post(f"{API}/plans/import", {"file": _xlsx("seed004_pl2"), "unit": "21439", "year": 2024})
    assert done.status_code == 201
    plan = c.get(f"{API}/plans/{done.json()['plan_id']}").json()
    assert plan["planned"] == "13.570" and plan["sources"] == ["CTX", "NSH", "NST"]
    assert [(s["numeral"], s["planned"], len(s["tasks"])) for s in plan["sections"]] == [
        ("I", "4.420", 6), ("II", "250", 2), ("III", "750", 1), ("IV", "150", 1), ("V", "8.000", 2)]
    line = plan["sections"][0]["tasks"][0]["budget_lines"][0]
    assert (line["planned_vnd"], line["planned"], line["sources"]) == (120_000_000, "120", ["CTX", "NSH"])
    export = c.get(f"{API}/plans/{plan['id']}/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api("ct_admin").get(f"{API}/plans/{plan['id']}").json()["code"] == "plan_not_found"
    assert api("auditor").get(f"{API}/plans/{plan['id']}").status_code == 200


@pytest.mark.parametrize("raw", ["1", "yes", "on", "True", " true", "0", "no"])
def test_a_preview_asked_otherwise_than_true_or_false_is_refused_and_imports_nothing(api, dx, raw):
    """dry_run and replace are form values: the text true or false (api.values.TextBoolean). pydantic read "1",
    "yes", "on" as a preview and "0", "no" as an import; now the 422 says what is taken."""
    c = api("dp_admin")
    for name in ("dry_run", "replace"):
        r = c.post(f"{API}/plans/import", {"file": _xlsx("seed004_pl2"), "unit": "21439", "year": 2024, name: raw})
        assert r.status_code == 422, r.content[:300]
        assert r.json()["details"]["fields"] == {name: "Phải là true hoặc false."}
    assert not Plan.objects.exists()
    r = c.post(f"{API}/plans/import", {"file": _xlsx("seed004_pl2"), "unit": "21439", "year": 2024, "dry_run": "false"})
    assert r.status_code == 201 and r.json()["dry_run"] is False and Plan.objects.count() == 1


def test_building_a_plan_and_bad_input(api, dx):
    c = api("dp_admin")
    plan = c.post(f"{API}/plans", {"unit": "21439", "year": 2024}, content_type="application/json").json()
    section = c.post(f"{API}/plans/{plan['id']}/sections", {"title": "Nhóm phát triển chính quyền số",
                                                             "group": "chinh-quyen-so"},
                     content_type="application/json").json()
    task = c.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section["id"], "content": "Số hóa hồ sơ",
                                                       "deadline": "2024-12-31", "lead_units": ["21439"]},
                  content_type="application/json")
    assert task.status_code == 201 and task.json()["lead_units"] == ["H51.50.80"]
    task_id = task.json()["id"]
    ok = c.post(f"{API}/tasks/{task_id}/budget-lines", {"planned": "92,460", "sources": ["CTX", "NSH"]},
                content_type="application/json")
    assert ok.status_code == 201 and ok.json()["planned"] == "92,460"
    for body, status, code, text in (
            ({"planned": "-5"}, 422, "amount_negative", "Kinh phí không được âm."),
            ({"planned": "năm trăm"}, 422, "amount_invalid", "không phải số triệu đồng"),
            ({"planned": -3}, 422, "amount_negative", "không được âm"),
            ({"planned": "10", "sources": ["ABC"]}, 422, "unknown_source", "Nguồn vốn không có trong danh mục"),
            ({"planned": "10", "year": 2030}, 422, "deadline_outside_plan", "nằm ngoài năm của kế hoạch (2024)"),
            ({"planned": {"x": 1}}, 422, "invalid_input", "")):
        r = c.post(f"{API}/tasks/{task_id}/budget-lines", body, content_type="application/json")
        assert r.status_code == status and r.json()["code"] == code and text in r.json()["message"], r.content
    r = c.patch(f"{API}/tasks/{task_id}", {"deadline": "2025-01-15"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["message"] == "Thời hạn 15/01/2025 nằm ngoài năm của kế hoạch (2024)."
    other = api("ct_admin")  # a task in another unit's plan
    r = other.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section["id"], "content": "Xen ngang"},
                   content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "plan_not_found"
    r = api("auditor").post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section["id"], "content": "Kiểm tra"},
                            content_type="application/json")
    assert r.status_code == 403 and r.json() == {"code": "forbidden", "message":
                                                 "Bạn chỉ được thay đổi dữ liệu chuyển đổi số của đơn vị mình."}
    r = c.post(f"{API}/plans/import", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really"),
                                       "unit": "21439", "year": 2024, "replace": "true"})
    assert r.status_code == 422 and r.json()["code"] == "xlsx_invalid"
    assert Task.objects.count() == 1 and BudgetLine.objects.count() == 1
    assert Client().get(f"{API}/plans").status_code == 401


def test_targets_values_rounds_and_rollup(api, dx):
    admin, dp = api("admin"), api("dp_admin")
    province = admin.post(f"{API}/plans", {"unit": "51", "year": 2024}, content_type="application/json").json()
    other = admin.post(f"{API}/plans", {"unit": "21025", "year": 2024}, content_type="application/json").json()
    plan = dp.post(f"{API}/plans", {"unit": "21439", "year": 2024, "parent_id": other["id"]},
                   content_type="application/json")
    assert plan.status_code == 404  # another ward's plan is not visible: nothing leaks
    plan = dp.post(f"{API}/plans", {"unit": "21439", "year": 2024, "parent_id": province["id"]},
                   content_type="application/json").json()  # the province's plan, every unit reads
    target = dp.post(f"{API}/plans/{plan['id']}/targets", {"measure": "households_internet", "value": "70",
                                                           "comparator": "gt"}, content_type="application/json")
    assert target.status_code == 201 and target.json()["target"] == "> 70 %" and target.json()["display"] == "—"
    value = dp.post(f"{API}/targets/{target.json()['target_id']}/values",
                    {"value": "72,5", "note": "VNPT", "evidence": SimpleUploadedFile("bb.pdf", pdf_bytes())})
    assert value.status_code == 201 and value.json()["value"] == "72.50" and value.json()["evidence_id"]
    [measured] = dp.get(f"{API}/plans/{plan['id']}/targets").json()
    assert (measured["display"], measured["met"], measured["entered_by"]) == ("72,5 %", True, str(dx.dp_admin))
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert dp.post(f"{API}/rounds", {"year": 2024, "deadline": deadline}, content_type="application/json"
                   ).status_code == 403
    rnd = admin.post(f"{API}/rounds", {"year": 2024, "deadline": deadline, "units": ["21439", "21025"]},
                     content_type="application/json").json()
    assert rnd["pending"] == ["H51.50.01", "H51.50.80"]
    answered = dp.post(f"{API}/rounds/{rnd['id']}/answer", {"unit": "21439"}, content_type="application/json").json()
    assert answered["pending"] == [] and [r["status"] for r in answered["responses"]] == ["submitted"]
    assert admin.get(f"{API}/rounds/{rnd['id']}").json()["pending"] == ["H51.50.01"]
    up = admin.get(f"{API}/plans/{province['id']}/rollup").json()
    assert [u["unit"] for u in up["units"]] == ["H51", "H51.50.80"]
    assert [u["unit"] for u in api("ct_admin").get(f"{API}/plans/{province['id']}/rollup").json()["units"]] == ["H51"]
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/transformation/plans/{plan_id}/rollup" in schema["paths"]


def test_the_province_closes_a_round_over_the_api(api, dx):
    admin, dp = api("admin"), api("dp_admin")
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    rnd = admin.post(f"{API}/rounds", {"year": 2024, "deadline": deadline, "units": ["21439", "21025"]},
                     content_type="application/json").json()
    refused = dp.post(f"{API}/rounds/{rnd['id']}/close")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    closed = admin.post(f"{API}/rounds/{rnd['id']}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = admin.post(f"{API}/rounds/{rnd['id']}/close")
    assert again.status_code == 409 and again.json()["code"] == "round_closed"
    remind = admin.post(f"{API}/rounds/{rnd['id']}/remind")
    assert remind.status_code == 409 and remind.json()["code"] == "round_closed"
    assert admin.post(f"{API}/rounds/999999999/close").json()["code"] == "round_not_found"


def test_a_citizen_token_reaches_no_transformation_route(api, dx):
    """The rounds, their units and the catalogues are officers' work, as in the back office: a citizen's token (or
    session) is refused on every route, reads included, with the same 403 as a change of another unit's data."""
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    rnd = api("admin").post(f"{API}/rounds", {"title": "Kỳ quý IV", "year": 2024, "deadline": deadline,
                                              "units": ["21439"]}, content_type="application/json").json()
    person = Client(headers={"Authorization": f"Bearer {issue_token(citizen(username='cong.dan'), 'app')[1]}"})
    for path in ("/rounds", f"/rounds/{rnd['id']}", "/catalogue", "/plans"):
        refused = person.get(f"{API}{path}")
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden" and "cán bộ" in refused.json()["message"]
    assert b"K\xe1\xbb\xb3 qu\xc3\xbd IV" not in person.get(f"{API}/rounds").content
    refused = person.post(f"{API}/rounds/{rnd['id']}/answer", {"unit": "21439"}, content_type="application/json")
    assert refused.status_code == 403
    # officers and the auditor read them as before
    assert [r["title"] for r in api("auditor").get(f"{API}/rounds").json()] == ["Kỳ quý IV"]
    assert api("ct_admin").get(f"{API}/catalogue").status_code == 200


def test_a_section_of_another_plan_answers_as_a_missing_one(api, dx):
    """A task's section is looked up in its own plan: the id of another unit's section answers 404, word for word
    as an id that does not exist, so the answer tells nothing of the plans the caller may not see."""
    theirs = api("ct_admin")
    other = theirs.post(f"{API}/plans", {"unit": "21025", "year": 2024}, content_type="application/json").json()
    foreign = theirs.post(f"{API}/plans/{other['id']}/sections", {"title": "Nhóm của Cẩm Thành"},
                          content_type="application/json").json()["id"]
    c = api("dp_admin")
    plan = c.post(f"{API}/plans", {"unit": "21439", "year": 2024}, content_type="application/json").json()
    own = c.post(f"{API}/plans/{plan['id']}/sections", {"title": "Nhóm I"}, content_type="application/json").json()
    task = c.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": own["id"], "content": "Số hóa hồ sơ"},
                  content_type="application/json").json()
    missing = foreign + 1000
    for section_id in (foreign, missing):
        added = c.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section_id, "content": "Nhiệm vụ khác"},
                       content_type="application/json")
        moved = c.patch(f"{API}/tasks/{task['id']}", {"section_id": section_id}, content_type="application/json")
        for r in (added, moved):
            assert r.status_code == 404, (section_id, r.content)
            assert r.json() == {"code": "section_not_found", "message": "Không tìm thấy nhóm nhiệm vụ trong kế hoạch này."}
    assert Task.objects.filter(plan_id=plan["id"]).count() == 1
    assert Task.objects.get(pk=task["id"]).section_id == own["id"]
