"""Consents recorded before they were tied to a dossier: migration 0004 ties each to the one open dossier that
fits it, or ends it (docstring of documents/migrations/0004_vault_consent_dossier.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import AgencyFactory, officer

from .conftest import make_dossier

BEFORE = [("documents", "0003_attachment_kind_evidence")]
ID, OTHER_ID, TWICE_ID = "051090001234", "051190000999", "051090005555"


@pytest.mark.django_db(transaction=True)
def test_existing_consents_are_tied_to_their_dossier_or_expired(people, settings):
    settings.MOTCUA_VAULT_CONSENT_DAYS = 30
    mine = make_dossier(people, status="received")  # the counter officer's unit, the citizen's one open dossier
    stranger = officer("counter_officer", AgencyFactory(code="H55.299"), username="quay-xa")
    make_dossier(people, status="received", id_number=TWICE_ID)
    make_dossier(people, status="processing", id_number=TWICE_ID)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldConsent = executor.loader.project_state(BEFORE).apps.get_model("documents", "VaultConsent")
    now = timezone.now()
    rows = {
        "officer_of_the_unit": OldConsent.objects.create(id_number=ID, purpose="prefill", granted_at=now,
                                                         granted_by_id=people["counter"].pk),
        "citizen_themself": OldConsent.objects.create(id_number=ID, purpose="processing", granted_at=now,
                                                      granted_by_id=people["citizen"].pk),
        "before_the_dossier": OldConsent.objects.create(id_number=ID, purpose="processing",
                                                        granted_at=now - dt.timedelta(days=40),
                                                        granted_by_id=people["citizen"].pk),
        "officer_elsewhere": OldConsent.objects.create(id_number=ID, purpose="prefill", granted_at=now,
                                                       granted_by_id=stranger.pk),
        "no_dossier": OldConsent.objects.create(id_number=OTHER_ID, purpose="prefill", granted_at=now,
                                                granted_by_id=people["counter"].pk),
        "two_dossiers": OldConsent.objects.create(id_number=TWICE_ID, purpose="prefill", granted_at=now,
                                                  granted_by_id=people["counter"].pk),
        "revoked": OldConsent.objects.create(id_number=ID, purpose="prefill", granted_at=now - dt.timedelta(days=2),
                                             revoked_at=now - dt.timedelta(days=1), granted_by_id=people["citizen"].pk),
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.documents.models import VaultConsent

    after = {name: VaultConsent.objects.get(pk=row.pk) for name, row in rows.items()}
    tied = after["officer_of_the_unit"]
    assert tied.dossier_id == mine.pk and tied.is_active and not tied.by_applicant
    assert tied.expires_at == rows["officer_of_the_unit"].granted_at + dt.timedelta(days=30)
    own = after["citizen_themself"]
    assert own.dossier_id == mine.pk and own.by_applicant and own.is_active
    # Expired: given before any open dossier of theirs existed, by an officer of another unit, for a person
    # with no open dossier, or with two that fit.
    for name in ("before_the_dossier", "officer_elsewhere", "no_dossier", "two_dossiers"):
        assert after[name].dossier_id is None and not after[name].is_active, name
        assert after[name].expires_at <= timezone.now()
    assert after["revoked"].expires_at == rows["revoked"].revoked_at and not after["revoked"].is_active
