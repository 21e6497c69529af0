"""Ids past 999 written into pages: with the thousands separator the pages use for numbers people read
(USE_THOUSAND_SEPARATOR, locale vi), an id rendered plainly became "1.234". A province has such ids from its first
weeks (thousands of procedure components, dossiers, drafts), and then a hidden field, a link or an element id no
longer named its row: the counter's scan form said "the component does not belong to this procedure", a citizen's
draft link opened an empty form. Each journey here runs with every id above 100.000."""

import io
import re

import lxml.html
import pytest
from django.urls import reverse

from motcua.dossiers import lifecycle
from tests.web.conftest import ids_above

pytestmark = pytest.mark.django_db
START = 100_000


@pytest.fixture
def large_ids(db):
    ids_above(START)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 100), 230).save(buf, "PNG")
    return buf.getvalue()


def test_the_counters_scan_form_names_its_component(client, large_ids, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = lifecycle.receive_at_counter(
        officer=world["counter"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"})
    assert min(world["proc"].components.values_list("pk", flat=True)) > START
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossier", args=[dossier.pk]))
    form = lxml.html.fromstring(page.content).xpath("//form[contains(@action, '/so-hoa/')]")[0]
    data = {el.get("name"): el.get("value") for el in form.xpath(".//input[@type='hidden']")}
    component = world["proc"].components.get(pk=int(data["component"]))  # "1.234" before: no such id
    data["scans"] = SimpleUploadedFile("to-khai.png", _png(), content_type="image/png")
    resp = client.post(form.get("action"), data)
    assert resp.status_code == 302, resp.status_code
    assert dossier.digitization_jobs.get().component_id == component.pk


def test_a_citizens_draft_opens_from_their_list_and_saves_again(client, large_ids, world):
    from motcua.dossiers.models import Dossier

    client.force_login(world["citizen"])
    submit = reverse("portal:submit", args=[world["proc"].code])
    fields = {"applicant_name": "Trần Thị Mai", "f_child_name": "Bé Na", "agency": world["agency"].pk,
              "action": "draft", "return_method": "online"}
    assert client.post(submit, fields).status_code == 302
    draft = Dossier.objects.get(status="draft", applicant=world["citizen"])
    assert draft.pk > START
    mine = client.get(reverse("portal:my_dossiers")).content.decode()
    assert f"Bản nháp #{draft.pk}<" in mine  # the number the citizen reads out at the counter, as typed there
    own = client.get(reverse("portal:dossier", args=[draft.pk])).content.decode()
    assert f"<h1>Hồ sơ {draft.pk}</h1>" in own  # the draft's own page: the same number, not "100.001"
    link = re.search(r'href="([^"]*\?nhap=[^"]*)"', mine).group(1).replace("&amp;", "&")
    opened = client.get(link)
    assert opened.status_code == 200 and 'value="Bé Na"' in opened.content.decode()
    page = lxml.html.fromstring(opened.content)
    hidden = {el.get("name"): el.get("value") for el in page.xpath("//input[@type='hidden'][@name='draft']")}
    again = client.post(submit, {**fields, **hidden, "f_child_name": "Bé Na Trần"})  # "1.234": a 404 page before
    assert again.status_code == 302
    assert Dossier.objects.get(status="draft", applicant=world["citizen"]).form_data["child_name"] == "Bé Na Trần"


def test_a_reorganization_plan_is_named_by_its_number_as_typed_for_the_command(client, large_ids):
    """An administrator reads the plan's number off its pages and types it as ``reorganize_units --plan N``."""
    from tests.units import reorganization_world

    merger = reorganization_world.build()
    plan = reorganization_world.draft(merger)
    assert plan.pk > START
    client.force_login(merger.admin)
    named = f"Phương án sắp xếp số {plan.pk}"
    detail = lxml.html.fromstring(client.get(reverse("backoffice:reorganization", args=[plan.pk])).content)
    assert detail.findtext(".//title").startswith(named)
    assert detail.xpath("string(//h1)").startswith(f"{named}: Phường Hợp Nhất")
    edit = lxml.html.fromstring(client.get(reverse("backoffice:reorganization_edit", args=[plan.pk])).content)
    assert edit.xpath("string(//h1)") == f"Sửa bản nháp phương án số {plan.pk}"
    listed = lxml.html.fromstring(client.get(reverse("backoffice:reorganizations")).content)
    link = listed.xpath(f"//a[@href='{reverse('backoffice:reorganization', args=[plan.pk])}']")[0]
    assert link.text_content() == str(plan.pk)
