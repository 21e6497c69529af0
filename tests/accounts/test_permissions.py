"""Role × unit matrix: who sees and who may act on a dossier (rules in motcua.dossiers.access; roles in motcua.accounts.permissions)."""

import pytest

from motcua.accounts.models import RoleAssignment
from motcua.accounts.permissions import can
from motcua.core.errors import InvalidTransition, PermissionDenied
from motcua.dossiers.access import can_act, can_view_dossier, require, visible_dossiers
from motcua.dossiers.models import Dossier, DossierEvent, Status
from tests.factories import AgencyFactory, UserFactory, citizen, officer, procedure_with_steps

pytestmark = pytest.mark.django_db

ROLES = ["citizen", "counter_officer", "specialist", "department_head", "leader", "unit_admin",
         "provincial_admin", "auditor"]
SCOPES = ["own", "other", "province"]

# Who may view another person's dossier received by agency A.
VIEWERS = {
    "own": {"counter_officer", "specialist", "department_head", "leader", "unit_admin", "provincial_admin", "auditor"},
    "other": {"provincial_admin", "auditor"},
    "province": {"counter_officer", "specialist", "department_head", "leader", "unit_admin", "provincial_admin",
                 "auditor"},
}
# (action, dossier status) -> roles that may do it in the dossier's agency (Decree 118/2025 one-stop split;
# unit_admin and provincial_admin may stand in for any officer of their scope; auditors only read).
ACTORS = {
    ("receive", Status.SUBMITTED): {"counter_officer", "unit_admin", "provincial_admin"},
    ("start_processing", Status.RECEIVED): {"counter_officer", "specialist", "department_head", "leader",
                                            "unit_admin", "provincial_admin"},
    ("hand_over", Status.PROCESSING): {"specialist", "department_head", "leader", "unit_admin", "provincial_admin"},
    ("approve", Status.PROCESSING): {"leader", "unit_admin", "provincial_admin"},
    ("return_result", Status.READY_FOR_RETURN): {"counter_officer", "unit_admin", "provincial_admin"},
}


def make_dossier(agency, procedure, *, status=Status.PROCESSING, applicant=None, current_agency=None, **kw):
    return Dossier.objects.create(procedure=procedure, agency=agency, current_agency=current_agency, status=status,
                                  channel="online", rule_version="118/2025", applicant=applicant,
                                  applicant_name="Trần Thị Bình", applicant_id_number="051190000123", **kw)


@pytest.fixture
def world():
    a = AgencyFactory()
    b = AgencyFactory()
    proc = procedure_with_steps()
    owner = citizen()
    return {"a": a, "b": b, "proc": proc, "owner": owner}


def user_with(role, scope, world):
    agency = {"own": world["a"], "other": world["b"], "province": None}[scope]
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role, agency=agency)
    return user


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_view_matrix(world, role, scope):
    dossier = make_dossier(world["a"], world["proc"], applicant=world["owner"])
    user = user_with(role, scope, world)
    expected = role in VIEWERS[scope]
    assert can_view_dossier(user, dossier) is expected
    assert visible_dossiers(user).filter(pk=dossier.pk).exists() is expected
    if expected:
        require(user, "view", dossier)
    else:
        with pytest.raises(PermissionDenied) as err:
            require(user, "view", dossier)
        assert err.value.code == "forbidden" and "không có quyền" in err.value.message


@pytest.mark.parametrize("action_status", list(ACTORS), ids=[a for a, _ in ACTORS])
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_act_matrix(world, role, scope, action_status):
    action, status = action_status
    dossier = make_dossier(world["a"], world["proc"], status=status, applicant=world["owner"])
    user = user_with(role, scope, world)
    expected = role in ACTORS[action_status] and scope in ("own", "province")
    assert can_act(user, action, dossier) is expected
    if not expected:
        with pytest.raises(PermissionDenied) as err:
            require(user, action, dossier)
        assert err.value.code == "forbidden"


def test_citizen_sees_only_own_dossiers(world):
    mine = make_dossier(world["a"], world["proc"], applicant=world["owner"])
    theirs = make_dossier(world["a"], world["proc"], applicant=citizen())
    assert list(visible_dossiers(world["owner"])) == [mine]
    assert can_view_dossier(world["owner"], mine)
    assert not can_view_dossier(world["owner"], theirs)


def test_anonymous_and_inactive_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    dossier = make_dossier(world["a"], world["proc"], applicant=world["owner"])
    assert not visible_dossiers(AnonymousUser()).exists()
    assert not visible_dossiers(None).exists()
    assert not can_view_dossier(AnonymousUser(), dossier)
    assert not can_act(AnonymousUser(), "receive", dossier)
    gone = officer("counter_officer", world["a"])
    gone.is_active = False
    gone.save()
    assert not visible_dossiers(gone).exists()


def test_handed_over_dossier_stays_visible_to_the_agencies_it_passed_through(world):
    c, d = AgencyFactory(), AgencyFactory()
    dossier = make_dossier(world["a"], world["proc"], applicant=world["owner"], current_agency=c)
    DossierEvent.objects.create(dossier=dossier, action="hand_over", from_status="processing", to_status="processing",
                                at=dossier.created_at, agency=world["a"], to_agency=world["b"])
    past = officer("specialist", world["b"])  # handled it before, no longer holds it
    holder = officer("specialist", c)
    stranger = officer("specialist", d)
    for user, sees in ((past, True), (holder, True), (stranger, False)):
        assert can_view_dossier(user, dossier) is sees
        assert visible_dossiers(user).filter(pk=dossier.pk).exists() is sees
    # Acting follows the agency holding the dossier now.
    assert can_act(holder, "hand_over", dossier)
    assert not can_act(past, "hand_over", dossier)


def test_assignee_sees_dossier_and_roles_add_up(world):
    dossier = make_dossier(world["b"], world["proc"], applicant=world["owner"])
    clerk = officer("specialist", world["a"])
    assert not can_view_dossier(clerk, dossier)
    Dossier.objects.filter(pk=dossier.pk).update(assignee=clerk)
    dossier.refresh_from_db()
    assert can_view_dossier(clerk, dossier)
    # An officer who filed their own dossier as a citizen sees it as well as their agency's.
    own = make_dossier(world["b"], world["proc"], applicant=clerk)
    agency_one = make_dossier(world["a"], world["proc"], applicant=world["owner"])
    assert set(visible_dossiers(clerk)) == {dossier, own, agency_one}


def test_visible_dossiers_agrees_with_can_view_dossier(world):
    c = AgencyFactory()
    dossiers = [make_dossier(world["a"], world["proc"], applicant=world["owner"]),
                make_dossier(world["b"], world["proc"], applicant=citizen()),
                make_dossier(world["b"], world["proc"], applicant=world["owner"], current_agency=c)]
    users = [world["owner"], officer("leader", world["a"]), officer("counter_officer", c),
             officer("auditor", None), officer("unit_admin", world["b"])]
    for user in users:
        expected = {d.pk for d in dossiers if can_view_dossier(user, d)}
        assert set(visible_dossiers(user).values_list("pk", flat=True)) == expected


def test_require_reports_a_wrong_status_as_invalid_transition(world):
    dossier = make_dossier(world["a"], world["proc"], status=Status.RETURNED, applicant=world["owner"])
    with pytest.raises(InvalidTransition):
        require(officer("counter_officer", world["a"]), "receive", dossier)


def test_rate_is_for_the_applicant_after_return(world):
    returned = make_dossier(world["a"], world["proc"], status=Status.RETURNED, applicant=world["owner"])
    running = make_dossier(world["a"], world["proc"], status=Status.PROCESSING, applicant=world["owner"])
    assert can_act(world["owner"], "rate", returned)
    assert not can_act(world["owner"], "rate", running)
    assert not can_act(officer("leader", world["a"]), "rate", returned)


@pytest.mark.parametrize("role,agency_scope,capability,expected", [
    ("auditor", None, "view_audit", True),
    ("provincial_admin", None, "view_audit", True),
    ("leader", "own", "view_audit", False),
    ("counter_officer", "own", "answer_feedback", True),
    ("counter_officer", "other", "answer_feedback", False),
    ("citizen", None, "answer_feedback", False),
    ("auditor", None, "answer_feedback", False),
])
def test_capabilities(world, role, agency_scope, capability, expected):
    agency = {"own": world["a"], "other": world["b"], None: None}[agency_scope]
    user = officer(role, agency)
    assert can(user, capability, world["a"]) is expected
    if not expected:
        with pytest.raises(PermissionDenied):
            require(user, capability, agency=world["a"])


def test_submitter_on_behalf_sees_the_dossier(world):
    helper = citizen()
    dossier = make_dossier(world["a"], world["proc"], applicant=world["owner"], submitted_by=helper)
    assert can_view_dossier(helper, dossier) and visible_dossiers(helper).filter(pk=dossier.pk).exists()
