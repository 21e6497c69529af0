"""A submission racing an administrator who closes the agency's administrative unit in the admin (its last day,
«hiệu lực đến», set: a dissolution), on PostgreSQL.

The admin refuses to close a unit whose agencies still hold open dossiers (units.dissolution). A submission that read
the unit before the closing and inserted its dossier while the administrator checked used to be received by a unit
that, once both committed, no longer existed, and the check had passed. Now the submission reads the unit's row FOR
SHARE and the administrator's check locks it first: the submission is refused (the unit dissolved) or the closing is
refused (an open dossier); never both committed.
"""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit
from tests.dossiers.factories import APPLICANT

from .test_concurrent_intake import first_then

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serialises every writer, so nothing can slip in between"),
]

FORM = {"ho_ten_tre": "Trần Minh An"}


def _close(unit_pk, answer) -> None:
    """What the admin's unit page does on saving «hiệu lực đến» (yesterday: closed today) in its transaction: the
    form's check (``clean``: no open dossier at its agencies), then the save."""
    with transaction.atomic():
        unit = AdministrativeUnit.objects.get(pk=unit_pk)
        unit.valid_to = timezone.localdate() - dt.timedelta(days=1)
        try:
            unit.clean()
        except ValidationError as refused:
            answer["closing_refused"] = refused
            return
        unit.save()
        answer["closed"] = True


def _submit(world, proc, agency, channel, keyed, answer) -> None:
    key = uuid.uuid4().hex if keyed else None
    try:
        if channel == "online":
            answer["dossier"] = lifecycle.submit_online(applicant=world.users["citizen"], procedure=proc, agency=agency,
                                                        applicant_data=APPLICANT, form_data=FORM, idempotency_key=key)
        else:
            answer["dossier"] = lifecycle.receive_at_counter(officer=world.users["counter"], procedure=proc,
                                                             agency=agency, applicant_data=APPLICANT, form_data=FORM,
                                                             idempotency_key=key)
    except ValidationFailed as refused:
        answer["refused"] = refused


@pytest.mark.parametrize("channel,keyed", [("online", True), ("online", False), ("counter", True), ("counter", False)])
def test_a_submission_while_the_admin_closes_the_unit_is_refused_not_received_by_a_closed_unit(world, channel, keyed):
    # the submission read the procedure and the agency with its unit (the API's look-up) while the unit existed
    proc, agency = lifecycle.procedure_and_agency(world.procedure.code, world.agency.code)
    unit_pk = agency.admin_unit_id
    connections.close_all()
    answer = {}

    waited = first_then(lambda: _close(unit_pk, answer),
                        lambda: _submit(world, proc, agency, channel, keyed, answer), answer, timeout=5.0)

    assert "first" not in answer and answer.get("closed"), answer
    refused = answer.get("refused")
    assert refused is not None, f"received by a unit closed meanwhile: {answer}"
    assert refused.code == "agency_dissolved" and "đã giải thể" in refused.message, refused.message
    assert waited
    assert not Dossier.objects.filter(agency=world.agency).exists()


def test_the_unit_is_not_closed_over_a_dossier_being_received_there(world):
    proc, agency = lifecycle.procedure_and_agency(world.procedure.code, world.agency.code)
    unit_pk = agency.admin_unit_id
    connections.close_all()
    answer = {}

    waited = first_then(lambda: _submit(world, proc, agency, "counter", False, answer),
                        lambda: _close(unit_pk, answer), answer, timeout=5.0)

    assert "first" not in answer and "refused" not in answer and answer.get("dossier"), answer
    assert waited  # the administrator's check waited for the reception
    assert "closed" not in answer, "closed over an open dossier received meanwhile"
    assert "hồ sơ đã nộp chưa kết thúc" in str(answer["closing_refused"])
    assert AdministrativeUnit.objects.get(pk=unit_pk).valid_to is None
