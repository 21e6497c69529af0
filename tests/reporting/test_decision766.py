"""Decision 766 index from our own data, and the dossiers that cost points."""

import datetime as dt
import json

import pytest

from motcua.dossiers import lifecycle
from motcua.reporting import consumer, decision766
from tests.dossiers.factories import at, make_world

pytestmark = pytest.mark.django_db


def _resolve(w, d, start, hours, electronic=True):
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=start + dt.timedelta(hours=1))
    d = lifecycle.complete_step(d, officer=w.specialist, at=start + dt.timedelta(hours=hours))
    d = lifecycle.approve(d, officer=w.leader, at=start + dt.timedelta(hours=hours + 1))
    return lifecycle.sign_result(d, officer=w.leader, electronic=electronic, digitized=electronic,
                                 at=start + dt.timedelta(hours=hours + 2))


@pytest.fixture
def world():
    w = make_world(processing_days="2")
    w.procedure.description = "Bước 1: nộp hồ sơ; bước 2: nhận kết quả."
    w.procedure.save()
    # early, digitized at receipt and result → no loss
    d1 = lifecycle.receive(w.submit(when=at(2026, 3, 2, 8)), officer=w.counter, digitized=True, at=at(2026, 3, 2, 9))
    _resolve(w, d1, at(2026, 3, 2, 9), 2)
    # counter dossier decided two hours after its due moment (Wed 11/03 08:00), paper result
    d2 = w.walk_in(when=at(2026, 3, 9, 8))
    d2 = _resolve(w, d2, at(2026, 3, 9, 8), 49, electronic=False)
    # late: decided a week after its due date
    d3 = w.walk_in(when=at(2026, 3, 16, 8))
    d3 = _resolve(w, d3, at(2026, 3, 16, 8), 24 * 7)
    # still open and past its deadline on 31/03
    d4 = w.walk_in(when=at(2026, 3, 25, 8))
    consumer.consume()
    return w, d1, d2, d3, d4


def test_index_scores_what_we_measure_and_flags_the_rest(world):
    w, d1, d2, d3, d4 = world
    result = decision766.evaluate(dt.date(2026, 3, 1), dt.date(2026, 3, 31), scope=w.agency.code)
    scores = {i["code"]: i for g in result["groups"] for i in g["indicators"]}
    assert [g["max"] for g in result["groups"]] == [18, 20, 22, 22, 18]

    # 2.1: early/on time resolved + open in time, over resolved + open (d2 and d3 late, d4 overdue)
    s21 = scores["2.1"]
    assert (s21["numerator"], s21["denominator"]) == (1, 4)
    assert s21["score"] == 5.0 and s21["display"] == "5,00/20 điểm (25,00 %)"
    # 3.3: 1 online of 4, full marks at 50 % → 6 × 25/50
    assert scores["3.3"]["score"] == 3.0
    # 3.1: the only procedure offers online service → full
    assert scores["3.1"]["score"] == 2.0
    # 4.1: electronic results 2 of 3 resolved
    assert scores["4.1"]["numerator"] == 2 and scores["4.1"]["denominator"] == 3
    # 5.2 / 5.3: no feedback in the period → full points
    assert scores["5.2"]["score"] == 6.0 and scores["5.3"]["score"] == 6.0
    # unmeasurable ones are shown, not scored
    assert scores["1.1"]["status"] == "no_data" and scores["1.1"]["display"] == "không có dữ liệu"
    assert "1.1" in result["not_measured"] and "4.3" in result["not_measured"]
    measured_max = sum(i["max"] for i in scores.values() if i["status"] == "ok")
    assert result["measured_max"] == measured_max < 100
    assert result["score_100"] == round(result["score"] * 100 / measured_max, 2)


def test_costly_dossiers_name_the_culprits(world):
    w, d1, d2, d3, d4 = world
    lost = decision766.costly_dossiers(dt.date(2026, 3, 1), dt.date(2026, 3, 31), scope=w.agency.code)
    ids = {reason: [r["id"] for r in rows] for reason, rows in lost.items()}
    assert ids["late"] == [d2.pk, d3.pk]
    assert ids["overdue_open"] == [d4.pk]
    assert ids["no_electronic_result"] == [d2.pk]
    assert d1.pk not in ids["not_digitized"] and d3.pk in ids["not_digitized"]
    assert lost["late"][0]["code"] == d2.code


def test_table_must_add_up(tmp_path):
    data = json.loads(decision766.DATA_FILE.read_text(encoding="utf-8"))
    data["indicators"][0]["max"] += 1
    bad = tmp_path / "766.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError):
        decision766.load_table(str(bad))
