"""The dossier page's action panels: the one the dossier waits for comes first, for the person who may take it."""

import re

import pytest
from django.urls import reverse

from motcua.backoffice.forms import ACTION_FORMS
from motcua.dossiers import lifecycle

pytestmark = pytest.mark.django_db


def _panels(client, dossier) -> list[str]:
    """The actions of the page's panels (``<details id="tt-<action>">``), top to bottom."""
    body = client.get(reverse("backoffice:dossier", args=[dossier.pk])).content.decode()
    return re.findall(r'<details[^>]* id="tt-([a-z_]+)"', body)


def _offered(dossier, user) -> list[str]:
    return [a for a in lifecycle.allowed_actions(dossier, user) if a in ACTION_FORMS]


@pytest.fixture
def processing(world, submitted):
    d = lifecycle.receive(submitted, officer=world["counter"])
    return lifecycle.start_processing(d, officer=world["counter"], assignee=world["specialist"])


def test_a_leader_sees_the_approval_first_when_the_dossier_awaits_it(client, world, processing):
    """«Phê duyệt kết quả» was the 6th of 8 panels, below hand-over, pause, extension and apology: at the leader's
    approval step, and once every step is done, it is the first; the others keep their order, each at its anchor."""
    leader = world["leader"]
    at_approval = lifecycle.complete_step(processing, officer=world["specialist"], assignee=leader)
    client.force_login(leader)
    offered = _offered(at_approval, leader)
    assert "approve" in offered and offered.index("approve") > 0
    panels = _panels(client, at_approval)
    assert panels == ["approve"] + [a for a in offered if a != "approve"]
    done = lifecycle.complete_step(at_approval, officer=leader)  # every step done: waiting for the decision
    assert lifecycle.awaiting_decision(done)
    offered = _offered(done, leader)
    assert offered.index("approve") > 0 and _panels(client, done) == ["approve"] + [a for a in offered if a != "approve"]
    body = client.get(reverse("backoffice:dossier", args=[done.pk])).content.decode()
    assert f'action="{reverse("backoffice:action", args=[done.pk, "approve"])}#tt-approve"' in body  # back at its panel


def test_an_officer_sees_the_panels_in_their_usual_order(client, world, processing):
    """At the specialist's step nothing awaits approval: the specialist and the leader see lifecycle's order."""
    for who in ("specialist", "leader"):
        client.force_login(world[who])
        offered = _offered(processing, world[who])
        assert "approve" not in offered and len(offered) > 2
        assert _panels(client, processing) == offered, who
