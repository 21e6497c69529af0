"""The demo data, delivered to the national-system simulators as `make demo` does, gives every Decision 766
sub-indicator a measured score and a list of what cost points."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.demo import simulators
from motcua.integrations import dispatcher
from motcua.reporting import consumer, decision766
from tests.factories import sign_in
from tests.vietnamese import assert_vietnamese

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_measures_all_22_sub_indicators(settings):
    call_command("setup_demo", "--dossiers", "100", stdout=StringIO())  # as make demo
    unknown = Procedure.objects.filter(national_published_on__isnull=True).values_list("code", flat=True)
    sims = simulators.start_all(secret="s", unknown_procedures=set(unknown))
    try:
        config = simulators.settings_for(sims, secret="s", callback_url="http://127.0.0.1:9/cb")
        # what statistics measure (the messages to applicants would only slow the drill down)
        settings.MOTCUA_INTEGRATIONS = {k: config[k] for k in ("dvcqg", "dvcqg_storage", "payment", "population")}
        settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0, "batch": 500}
        for _ in range(200):
            if dispatcher.run_batch().idle:  # what stays pending waits behind a refused event of its dossier
                break
    finally:
        for sim in sims.values():
            sim.stop()
    consumer.consume()
    today = timezone.localdate()
    start = today - dt.timedelta(days=90)
    result = decision766.evaluate(start, today)
    scores = {i["code"]: i for g in result["groups"] for i in g["indicators"]}
    assert len(scores) == 22 and result["not_measured"] == [], [(c, s["note"]) for c, s in scores.items()
                                                                  if s["status"] != "ok"]
    for code, s in scores.items():  # real cases behind every figure, not an empty denominator
        assert s["denominator"], code
    assert 0 < scores["1.4"]["numerator"] < scores["1.4"]["denominator"]  # some refused by the national portal
    assert scores["4.3"]["numerator"] and scores["4.5b"]["numerator"] and scores["3.6"]["numerator"]
    client = Client()
    sign_in(client, User.objects.get(username="admin"))
    query = f"tu={start:%d/%m/%Y}&den={today:%d/%m/%Y}"
    page = client.get(f"/thong-ke/chi-so-766/?{query}")
    html = page.content.decode()
    assert page.status_code == 200 and decision766.NO_DATA not in html
    assert_vietnamese(page, where="chỉ số 766 của dữ liệu mẫu")
    for code, s in scores.items():
        if s["lost"] and s["max"]:
            assert f"/thong-ke/chi-so-766/{code}/?{query}" in html.replace("&amp;", "&"), code
