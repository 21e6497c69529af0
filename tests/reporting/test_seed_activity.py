"""Seed 004 (Đức Phổ town) reproduced by real activity: dossiers submitted, received, decided and digitized through
the lifecycle, turned into figures by the statistics consumer and printed by the report — at one fifth of the
town's scale, which keeps every rate exact (845 = 5 × 169, 310 = 5 × 62; 865 = 5 × 173, 740 = 5 × 148).

Seed 004: the town's one-stop counter received 1.050 online dossiers of 1.710 (61,4 %): partial online services
310/845, full online services 740/865. Resolutions, digitization and late dossiers are ours (the seed gives the
town's resolved rate only for two years and both levels together), chosen and checked exactly.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import OnlineLevel
from motcua.core import calendar
from motcua.documents.attachments import store_upload
from motcua.documents.digitization_flags import receipt_digitized
from motcua.dossiers import lifecycle
from motcua.papers import statistics
from motcua.reporting import consumer, decision766, indicators
from tests.factories import AgencyFactory, ProcedureFactory, citizen, officer
from tests.vietnamese import docx_text
from tests.web.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")

YEAR = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
# level: (dossiers, of which online) — seed 004 ÷ 5
TOWN = {OnlineLevel.PARTIAL: (169, 62), OnlineLevel.FULL: (173, 148)}
RESOLVED_LATE, LATE_EVERY = 16, 20  # every 20th resolved dossier, 16 of them, is decided after its appointment
OPEN = 18  # still in progress at the end of the year
COUNTER_DIGITIZED = 66  # counter dossiers digitized at receipt (online ones carry their files: digitized already)
RESULT_NOT_DIGITIZED = 24  # resolved dossiers whose result was not digitized


def _working_moments(n: int):
    """n distinct working moments from March 2023 on, two a working day (08:00, 14:00)."""
    day, out = dt.date(2023, 3, 1), []
    while len(out) < n:
        if calendar.is_working_day(day):
            out += [dt.datetime.combine(day, dt.time(h), calendar.TZ) for h in (8, 14)]
        day += dt.timedelta(days=1)
    return out[:n]


def _drive():
    town = AgencyFactory(name="UBND thị xã Đức Phổ")
    counter, leader = officer("counter_officer", town), officer("leader", town)
    person = citizen()
    applicant = {"name": "Nguyễn Văn Phổ", "id_number": "051090001111", "phone": "0905000111"}
    procs = {level: ProcedureFactory(name=f"Thủ tục dịch vụ công {level}", online_level=level,
                                     processing_days=Decimal("2")) for level in TOWN}
    plan = [(level, i < online) for level, (total, online) in TOWN.items() for i in range(total)]
    moments = _working_moments(len(plan))
    received, counter_seen, form = [], 0, pdf_bytes()
    for (level, online), at in zip(plan, moments, strict=True):
        if online:
            d = lifecycle.submit_online(applicant=person, procedure=procs[level], agency=town, applicant_data=applicant,
                                        form_data={}, at=at)
            store_upload(SimpleUploadedFile("to-khai.pdf", form), owner=person, dossier=d, uploaded_by=person)
            d = lifecycle.receive(d, officer=counter, digitized=receipt_digitized, at=at + dt.timedelta(minutes=30))
        else:
            counter_seen += 1
            d = lifecycle.receive_at_counter(officer=counter, procedure=procs[level], agency=town,
                                             applicant_data=applicant, form_data={}, at=at,
                                             digitized=counter_seen <= COUNTER_DIGITIZED)
        received.append((d, at))
    resolved = received[:len(received) - OPEN]
    for n, (d, at) in enumerate(resolved):
        late = n % LATE_EVERY == 0 and n < LATE_EVERY * RESOLVED_LATE
        start = at + dt.timedelta(hours=1)
        decided = calendar.add_working_days(at, 3) if late else start + dt.timedelta(hours=2)
        d = lifecycle.start_processing(d, officer=counter, at=start)
        d = lifecycle.approve(d, officer=leader, at=decided)
        lifecycle.sign_result(d, officer=leader, electronic=True, digitized=n >= RESULT_NOT_DIGITIZED,
                              at=decided + dt.timedelta(minutes=30))
    consumer.consume()
    return town


def test_duc_pho_rates_come_out_of_real_transitions():
    town = _drive()
    ind = indicators.totals(*YEAR, town.code)
    assert (ind["received"], ind["received_online"]) == (342, 210)
    assert (ind["received_partial"], ind["received_online_partial"]) == (169, 62)
    assert (ind["received_full"], ind["received_online_full"]) == (173, 148)
    rates = ind.rates
    assert indicators.format_percent(rates["online_rate"], 1) == "61,4 %"  # seed 004: 1.050/1.710 = 61,4 %
    assert indicators.format_percent(rates["online_rate_partial"]) == "36,69 %"  # 310/845
    assert indicators.format_percent(rates["online_rate_full"]) == "85,55 %"  # 740/865
    assert (ind["resolved"], ind["resolved_late"], ind["in_progress"]) == (324, 16, 18)
    assert indicators.format_percent(rates["resolved_rate"]) == "94,74 %"  # 324/342
    assert (ind["received_digitized"], ind["results_digitized"]) == (276, 300)
    assert indicators.format_percent(rates["digitized_at_receipt_rate"]) == "80,70 %"  # (210 + 66)/342
    assert indicators.format_percent(rates["results_digitized_rate"]) == "92,59 %"  # 300/324

    text = docx_text(statistics.build_docx(town.code, *YEAR))
    assert "Tiếp nhận 342 hồ sơ, đã giải quyết 324 hồ sơ (đạt 94,74 %)" in text
    assert "62/169 hồ sơ trực tuyến (đạt 36,69 %)" in text and "148/173 hồ sơ trực tuyến (đạt 85,55 %)" in text
    assert "276 hồ sơ (đạt 80,70 %)" in text and "300 hồ sơ (đạt 92,59 %)" in text
    # Decision 766 3.3 reads the same channel mix (no national portal here: nothing synced, said in the note)
    online = next(i for g in decision766.evaluate(*YEAR, town.code)["groups"] for i in g["indicators"]
                  if i["code"] == "3.3")
    assert (online["numerator"], online["denominator"]) == (210, 342)
    # the counters equal a scan of the raw dossiers
    assert consumer.stored_counters() == consumer.recompute_from_dossiers()
