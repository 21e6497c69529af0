"""Decision 766: every sub-indicator measured from the system's own data (figures worked out by hand from
world766), a period without cases says why, and the dossiers / procedures / feedback that cost points."""

import copy
import datetime as dt
import json

import pytest

from motcua.reporting import decision766
from motcua.reporting.decision766 import table as table_module
from tests.factories import sign_in

from .world766 import MARCH, build

pytestmark = pytest.mark.django_db

# code: (numerator, denominator, score) — see world766 for the cases
EXPECTED = {
    "1.1": (1, 2, 3.0),    # announced in March: đăng ký khai sinh on time, hộ kinh doanh 2 days before effect
    "1.2": (1, 2, 2.0),    # hộ kinh doanh never published on the national database, 5 working days passed
    "1.3": (2, 3, 1.33),   # chứng thực bản sao has no procedure description
    "1.4": (4, 6, 4.0),    # the portal refused the two hộ kinh doanh dossiers (procedure unknown to it)
    "2.1": (4, 6, 13.33),  # d2 decided a week late, d3 open past its appointment on 31/03
    "3.1": (2, 3, 1.67),   # 66,67 % of procedures online, full marks at 80 %
    "3.2": (2, 2, 4.0),    # both online services received an online dossier
    "3.3": (2, 6, 2.67),   # 2 of 6 online × 4 of 6 synced = 22,22 %, full marks at 50 %
    "3.5": (0, 2, 0.0),    # no national payment platform configured
    "3.5b": (1, 2, 1.25),  # hộ kinh doanh was paid online, chứng thực not
    "3.6": (1, 4, 1.5),    # d2 paid online of d2, d3, d4, d5 with fees
    "4.1": (3, 5, 3.6),    # d1, d4, d6 electronic results of 5 resolved
    "4.2": (2, 5, 2.0),    # d1, d6 digitized at receipt and result; 40 % of 80 %
    "4.3": (1, 6, 0.42),   # d1 reused a birth certificate from the repository
    "4.4": (1, 2, 2.0),    # of d1, d6 digitized: only d6's result reached the national personal storage
    "4.5a": (2, 2, 2.0),   # khai sinh (VNeID) and chứng thực (population database) — both citizen procedures
    "4.5b": (2, 4, 1.0),   # d1 (VNeID), d4 (population database) of d1, d4, d5, d6
    "4.6": (1, 2, 1.0),    # d4 electronic copy, d5 paper
    "5.1": (4, 4, 0.0),    # tracking only
    "5.2": (3, 4, 4.5),    # f4 never handled: late on 01/04
    "5.3": (1, 4, 1.5),    # f1 disliked, f2 raised again by f3, f4 late
    "5.4": (3, 5, 4.0),    # 100 % − (d2 late + d1 disliked) ÷ 5 = 60 %, full marks at 90 %
}


@pytest.fixture
def world(settings):
    return build(settings)


def _scores(result):
    return {i["code"]: i for g in result["groups"] for i in g["indicators"]}


def test_all_22_sub_indicators_are_measured(world):
    result = decision766.evaluate(*MARCH, scope=world.w.agency.code)
    scores = _scores(result)
    assert len(scores) == 22 and result["not_measured"] == []
    assert {code: (s["numerator"], s["denominator"], s["score"]) for code, s in scores.items()} == EXPECTED
    assert [g["max"] for g in result["groups"]] == [18, 20, 22, 22, 18] and result["measured_max"] == 100
    assert result["score"] == round(sum(v[2] for v in EXPECTED.values()), 2) == result["score_100"]
    assert scores["2.1"]["display"] == "13,33/20 điểm (66,67 %)" and scores["2.1"]["lost"] == 2
    assert scores["5.1"]["display"] == "3 về quy định hành chính, 1 về hành vi của cán bộ (theo dõi, không tính điểm)"
    assert "Tỷ lệ đồng bộ Cổng DVC quốc gia: 66,67 %" in scores["3.3"]["note"]
    assert all(s["source"] for s in scores.values())  # each cites where its figures come from


def test_configuration_decides_payment_and_storage_formulas(world, settings):
    settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS,
                                    "payment": {"url": "http://127.0.0.1:9", "platform": "dvcqg"}}
    scores = _scores(decision766.evaluate(*MARCH, scope=world.w.agency.code))
    assert (scores["3.5"]["numerator"], scores["3.5"]["denominator"], scores["3.5"]["score"]) == (1, 2, 1.25)
    settings.MOTCUA_INTEGRATIONS = {}  # no national storage: the province's own repository counts
    scores = _scores(decision766.evaluate(*MARCH, scope=world.w.agency.code))
    assert (scores["4.4"]["numerator"], scores["4.4"]["denominator"], scores["4.4"]["score"]) == (2, 2, 4.0)
    assert "kho dữ liệu của tỉnh" in scores["4.4"]["note"]
    assert "Chưa cấu hình kết nối Cổng DVC quốc gia" in scores["1.4"]["note"]


def test_certified_copy_basis_is_configurable(world, monkeypatch):
    data = copy.deepcopy(decision766.load_table())
    next(i for i in data["indicators"] if i["code"] == "4.6")["params"] = {"basis": "procedures"}
    monkeypatch.setattr(decision766, "load_table", lambda: data)
    s = _scores(decision766.evaluate(*MARCH, scope=world.w.agency.code))["4.6"]
    assert (s["numerator"], s["denominator"], s["score"]) == (1, 1, 2.0)
    assert "Chưa có định nghĩa chính thức" in s["note"]


def test_a_period_without_cases_says_why(world):
    result = decision766.evaluate(dt.date(2026, 2, 1), dt.date(2026, 2, 28), scope=world.w.agency.code)
    scores = _scores(result)
    assert scores["1.1"]["status"] == "no_data" and "Không có thủ tục nào có quyết định công bố" in scores["1.1"]["note"]
    assert "Không có hồ sơ chứng thực bản sao được giải quyết" in scores["4.6"]["note"]
    assert scores["4.3"]["status"] == "no_data" and "Không phát sinh trong kỳ" in scores["4.3"]["note"]
    assert scores["5.2"]["score"] == 6.0 and scores["5.4"]["score"] == 0.0  # LEGAL.md §6: no feedback full, no dossier 0
    assert scores["1.3"]["status"] == "ok"  # the catalog is measured as it is now
    assert "1.1" in result["not_measured"] and result["measured_max"] < 100


def test_losses_name_the_dossiers_procedures_and_feedback(world):
    d, fb, w = world.d, world.fb, world.w

    def rows(code):
        return decision766.losses(code, *MARCH, scope=w.agency.code)

    late = rows("2.1")
    assert late.kind == "dossiers" and [r["id"] for r in late.rows] == [d["d2"].pk, d["d3"].pk]
    assert late.rows[0]["procedure"] == "Đăng ký hộ kinh doanh" and late.rows[0]["agency"] == w.agency.name
    assert late.rows[0]["channel"] == "Trực tiếp" and late.rows[1]["status"] == "Đã tiếp nhận"
    assert "quá hạn" in late.rows[0]["reason"] and late.total == 2
    sync = rows("1.4")
    assert {r["id"]: r["reason"] for r in sync.rows} == {d["d2"].pk: "Cổng DVC quốc gia từ chối",
                                                         d["d3"].pk: "Cổng DVC quốc gia từ chối"}
    announced = rows("1.1")
    assert announced.kind == "procedures" and [r["name"] for r in announced.rows] == ["Đăng ký hộ kinh doanh"]
    assert "12/03/2026" in announced.rows[0]["reason"]
    assert "chưa công khai" in rows("1.2").rows[0]["reason"]
    assert rows("1.3").rows[0]["reason"] == "Thiếu trình tự thực hiện"
    assert [r["id"] for r in rows("4.6").rows] == [d["d5"].pk]
    assert {r["id"] for r in rows("4.3").rows} == {d[k].pk for k in ("d2", "d3", "d4", "d5", "d6")}
    assert [r["id"] for r in rows("4.4").rows] == [d["d1"].pk]
    assert {r["id"] for r in rows("4.5b").rows} == {d["d5"].pk, d["d6"].pk}
    assert {r["id"] for r in rows("5.4").rows} == {d["d1"].pk, d["d2"].pk}
    unhappy = rows("5.3")
    assert unhappy.kind == "feedback" and {r["code"]: r["reason"] for r in unhappy.rows} == {
        fb["f1"].code: "Người gửi không hài lòng với kết quả", fb["f2"].code: "Bị phản ánh lại",
        fb["f4"].code: "Xử lý quá hạn"}
    assert [r["code"] for r in rows("5.2").rows] == [fb["f4"].code]
    # each count shown next to a score matches its list
    for code, s in _scores(decision766.evaluate(*MARCH, scope=w.agency.code)).items():
        if code not in ("3.3", "5.1"):
            assert rows(code).total == s["lost"], code


def test_table_must_add_up(tmp_path):
    data = json.loads(decision766.DATA_FILE.read_text(encoding="utf-8"))
    data["indicators"][0]["max"] += 1
    bad = tmp_path / "766.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError):
        table_module.load_table(str(bad))


def test_api_lists_the_dossiers_that_cost_points(world, client):
    w, d = world.w, world.d
    url = "/api/v1/reporting/costly766"
    params = {"period": "2026-03", "scope": w.agency.code}
    assert client.get(url, params).status_code == 401
    sign_in(client, w.counter)
    body = client.get(url, params).json()
    assert body["reasons"]["2.1"] == "Hồ sơ giải quyết trước hạn, đúng hạn"
    assert [r["id"] for r in body["dossiers"]["2.1"]] == [d["d2"].pk, d["d3"].pk]
    assert body["dossiers"]["2.1"][0]["procedure"] == "Đăng ký hộ kinh doanh"
    assert "1.1" not in body["dossiers"]  # procedures, not dossiers
    index = client.get("/api/v1/reporting/index766", params).json()
    assert index["not_measured"] == [] and len([i for g in index["groups"] for i in g["indicators"]]) == 22


def test_lists_of_dossiers_are_for_the_units_officers(world, client):
    w = world.w
    query = f"?ky=2026-03&don-vi={w.agency.code}"
    assert client.get(f"/thong-ke/chi-so-766/1.1/{query}").status_code == 200  # procedures are public
    assert client.get(f"/thong-ke/chi-so-766/2.1/{query}").status_code == 302  # dossiers: sign in first
    sign_in(client, w.citizen)
    assert client.get(f"/thong-ke/chi-so-766/2.1/{query}").status_code == 403
    sign_in(client, w.other_leader)  # an officer of another agency
    assert client.get(f"/thong-ke/chi-so-766/5.3/{query}").status_code == 403
    sign_in(client, w.counter)
    page = client.get(f"/thong-ke/chi-so-766/2.1/{query}").content.decode()
    assert world.d["d2"].code in page and f"/can-bo/ho-so/{world.d['d2'].pk}/" in page
    assert client.get(f"/thong-ke/chi-so-766/9.9/{query}").status_code == 404
    assert client.get("/thong-ke/chi-so-766/2.1/?ky=2026-13").status_code == 422
