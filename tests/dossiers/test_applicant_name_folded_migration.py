"""Migration 0009 fills the folded applicant name (the back-office search's column) of the dossiers saved before it
existed, batch by batch; what it writes is what the model writes for a new dossier."""

import importlib

import pytest
from django.apps import apps

from motcua.dossiers.models import Dossier
from tests.factories import AgencyFactory, procedure_with_steps

pytestmark = pytest.mark.django_db

migration = importlib.import_module("motcua.dossiers.migrations.0010_dossier_applicant_name_folded_backfill")


def test_dossiers_saved_before_the_column_get_their_name_folded(monkeypatch):
    names = ["Trần Thị Mai", "ĐẶNG  VĂN  ĐỨC", "Nguyễn Thị Huệ"]
    procedure, agency = procedure_with_steps(), AgencyFactory()
    made = [Dossier.objects.create(procedure=procedure, agency=agency, channel="online", rule_version="NĐ 118/2025",
                                   applicant_name=name) for name in names]
    expected = {d.pk: d.applicant_name_folded for d in made}
    assert set(expected.values()) == {"tran thi mai", "dang van duc", "nguyen thi hue"}
    Dossier.objects.update(applicant_name_folded="")  # as the column was right after 0008
    monkeypatch.setattr(migration, "BATCH", 2)  # more than one batch
    migration.backfill(apps, None)
    assert dict(Dossier.objects.values_list("pk", "applicant_name_folded")) == expected
