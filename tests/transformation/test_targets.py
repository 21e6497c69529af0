"""Targets: computed ones read the statistics the statistics pages show; entered ones keep who, when, evidence."""

import datetime as dt
import re

import pytest

from motcua.core.errors import DomainError
from motcua.dossiers import lifecycle
from motcua.reporting import consumer
from motcua.transformation.models import Target
from motcua.transformation.services import community, indicators, plans
from tests.dossiers.factories import at, make_world
from tests.factories import officer
from tests.web.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    """Four dossiers in March 2026 at one commune: 3 online (1 digitized at receipt), 1 walk-in (digitized)."""
    w = make_world()
    for day, digitized in ((2, True), (3, False), (4, False)):
        d = w.submit(when=at(2026, 3, day, 8))
        lifecycle.receive(d, officer=w.counter, digitized=digitized, at=at(2026, 3, day, 9))
    w.walk_in(when=at(2026, 3, 5, 8), digitized=True)
    consumer.consume()
    w.admin = officer("unit_admin", w.agency)
    return w


def _rate_on_statistics_page(client, code, label):
    html = client.get(f"/thong-ke/don-vi/{code}/?nam=2026").content.decode()
    row = re.search(rf"{re.escape(label)}</td>(.*?)</tr>", html, re.S).group(1)
    return re.findall(r"\d[\d.]*,\d+ %", row)[-1]


def test_a_computed_target_shows_the_statistics_page_value(client, commune):
    plan = plans.create_plan(commune.admin, agency=commune.agency, year=2026)
    online = indicators.add_target(commune.admin, plan, measure="online_rate_full", value="70")
    digitized = indicators.add_target(commune.admin, plan, measure="digitized_at_receipt_rate", value="60",
                                      comparator=Target.GTE)
    measured = {m.target.pk: m for m in indicators.measure_targets(plan)}
    assert measured[online.pk].display == "75,00 %" and measured[online.pk].met is True
    assert measured[digitized.pk].display == "50,00 %" and measured[digitized.pk].met is False
    assert measured[online.pk].display == _rate_on_statistics_page(
        client, commune.agency.code, "DVC trực tuyến toàn trình: hồ sơ trực tuyến")
    assert measured[digitized.pk].display == _rate_on_statistics_page(
        client, commune.agency.code, "Số hóa hồ sơ khi tiếp nhận")
    # another period: the same call the statistics use for that period (nothing in February)
    feb = indicators.measure_targets(plan, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert [m.display for m in feb] == ["—", "—"]
    with pytest.raises(DomainError) as exc:
        indicators.enter_value(commune.admin, online, value="90")
    assert exc.value.code == "value_computed" and exc.value.status == 422


def test_an_entered_target_keeps_who_when_and_the_evidence(dx):
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    internet = indicators.add_target(dx.dp_admin, plan, measure="households_internet", value="70",
                                     comparator=Target.GT)
    assert indicators.target_label(internet) == "> 70 %"
    row = indicators.enter_value(dx.dp_admin, internet, value="72,5", note="Số liệu của VNPT",
                                 evidence=pdf_bytes(), evidence_name="bien-ban.pdf")
    assert row.entered_by == dx.dp_admin and row.entered_at and row.evidence.kind == "evidence"
    assert row.evidence.content_type == "application/pdf" and row.evidence.original_name == "bien-ban.pdf"
    [m] = indicators.measure_targets(plan)
    assert (m.display, m.met, m.entered) == ("72,5 %", True, row)
    for value, message in (("-3", "không âm"), ("bảy mươi", "không phải số"), ("120", "không vượt quá 100 %")):
        with pytest.raises(DomainError, match=message):
            indicators.enter_value(dx.dp_admin, internet, value=value)
    with pytest.raises(DomainError) as exc:  # an executable is refused by the documents app's checks
        indicators.enter_value(dx.dp_admin, internet, value="71", evidence=b"MZ\x90\x00" + b"\x00" * 100)
    assert exc.value.status == 415
    with pytest.raises(DomainError) as exc:
        indicators.enter_value(dx.ct_admin, internet, value="71")
    assert exc.value.status == 403
    assert internet.values.count() == 1


def test_team_and_training_counts_are_targets_too(dx):
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2023)
    community.add_team(dx.dp_admin, dx.dp, members=15, decision="Quyết định số 3381/QĐ-UBND ngày 07/10/2022",
                       founded_on=dt.date(2022, 10, 7))
    community.add_team(dx.dp_admin, dx.dp, members=8, village="Tổ dân phố 1")
    community.add_activity(dx.dp_admin, dx.dp, date=dt.date(2023, 9, 15), title="Diễn tập an toàn thông tin",
                           participants=70, audience="cán bộ, công chức")
    community.add_activity(dx.dp_admin, dx.dp, date=dt.date(2024, 1, 5), title="Tập huấn năm sau", participants=9)
    teams = indicators.add_target(dx.dp_admin, plan, measure="community_teams", value="2")
    trained = indicators.add_target(dx.dp_admin, plan, measure="people_trained", value="100")
    measured = {m.target.pk: m for m in indicators.measure_targets(plan)}
    assert (measured[teams.pk].display, measured[teams.pk].met) == ("2 tổ", True)
    assert (measured[trained.pk].display, measured[trained.pk].met) == ("70 người", False)
    with pytest.raises(DomainError, match="Số thành viên phải là số nguyên không âm"):
        community.add_team(dx.dp_admin, dx.dp, members="-1")
    with pytest.raises(DomainError) as exc:
        community.add_team(dx.ct_admin, dx.dp, members=3)
    assert exc.value.status == 403
