"""Migrations 0010 and 0013 fill the folded and the lowered applicant name (the back-office search's columns) of the
dossiers saved before they existed, batch by batch; what they write is what the model writes for a new dossier."""

import importlib
import unicodedata

import pytest
from django.apps import apps

from motcua.dossiers.models import Dossier
from tests.factories import AgencyFactory, procedure_with_steps

pytestmark = pytest.mark.django_db

migration = importlib.import_module("motcua.dossiers.migrations.0010_dossier_applicant_name_folded_backfill")
lowering = importlib.import_module("motcua.dossiers.migrations.0013_dossier_applicant_name_lower_backfill")


@pytest.mark.parametrize("module, column, names, stored", [
    (migration, "applicant_name_folded", ["Trần Thị Mai", "ĐẶNG  VĂN  ĐỨC", "Nguyễn Thị Huệ"],
     {"tran thi mai", "dang van duc", "nguyen thi hue"}),
    (lowering, "applicant_name_lower", ["Trần Thị Mai", "ĐẶNG  VĂN  ĐỨC", unicodedata.normalize("NFD", "Nguyễn Thị Huệ")],
     {"trần thị mai", "đặng văn đức", "nguyễn thị huệ"}),
])
def test_dossiers_saved_before_the_column_get_it_as_the_model_writes_it(monkeypatch, module, column, names, stored):
    procedure, agency = procedure_with_steps(), AgencyFactory()
    made = [Dossier.objects.create(procedure=procedure, agency=agency, channel="online", rule_version="NĐ 118/2025",
                                   applicant_name=name) for name in names]
    expected = {d.pk: getattr(d, column) for d in made}
    assert set(expected.values()) == stored
    Dossier.objects.update(**{column: ""})  # as the column was right after it was added
    monkeypatch.setattr(module, "BATCH", 2)  # more than one batch
    module.backfill(apps, None)
    assert dict(Dossier.objects.values_list("pk", column)) == expected
