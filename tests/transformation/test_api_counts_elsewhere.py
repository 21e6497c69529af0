"""The DX API says of each task whether it counts for another unit than its plan's in that year's figures
(``counts_elsewhere``, services/merger.py): a merged ward's task handed over within the plan's year does; a task of a
plan whose unit did not merge stays counted there, even when the ward leading it merged and handed its part over."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.transformation.models import Task
from motcua.transformation.services import plans

from .conftest import merge

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"


def test_a_task_says_whether_it_counts_for_another_unit_in_its_plans_year(signed_in, dx):
    year = timezone.localdate().year - 1
    plan_ct = plans.create_plan(dx.admin, agency=dx.ct, year=year)
    sec = plans.add_section(dx.admin, plan_ct, title="Chính quyền số")
    moved = plans.add_task(dx.admin, plan_ct, section=sec, content="Số hóa hồ sơ một cửa", lead_agencies=[dx.ct])
    done = plans.add_task(dx.admin, plan_ct, section=sec, content="Lắp wifi", status=Task.DONE, progress=100)
    plan_dp = plans.create_plan(dx.admin, agency=dx.dp, year=year)
    led = plans.add_task(dx.admin, plan_dp, section=plans.add_section(dx.admin, plan_dp, title="Hạ tầng số"),
                         content="Camera an ninh", lead_agencies=[dx.ct])
    new = merge(dx.admin, [dx.ct.admin_unit], "99001", "Phường Hợp Nhất", dt.date(year, 7, 1))

    api = signed_in(dx.admin)
    tasks = {t["id"]: t for p in (plan_ct, plan_dp)
             for s in api.get(f"{API}/plans/{p.pk}").json()["sections"] for t in s["tasks"]}
    said = {k: (tasks[t.pk]["handed_over_to"], tasks[t.pk]["counts_elsewhere"])
            for k, t in (("moved", moved), ("done", done), ("led", led))}
    assert said == {"moved": (new.code, True), "done": (None, False), "led": (new.code, False)}
    assert tasks[led.pk]["handovers"][-1]["to"] == new.code  # Hợp Nhất carries Đức Phổ's task, counted by Đức Phổ
    # The same on a task read alone (changed over the API).
    patched = api.patch(f"{API}/tasks/{moved.pk}", {"progress": 40}, content_type="application/json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["counts_elsewhere"] is True
    field = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["TaskOut"]["properties"]
    assert "tính cho đơn vị khác" in field["counts_elsewhere"]["description"]
