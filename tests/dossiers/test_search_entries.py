"""What the back-office search and the counter's look-up by ID number match lives in DossierSearchEntry, written by
database triggers (migration dossiers 0015) whichever code writes the dossier row, and left alone by a status change
so that a transition does not write the search's indexes (issue H1)."""

import pytest
from django.db import connection

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierSearchEntry

from .factories import APPLICANT, at, make_world

pytestmark = pytest.mark.django_db


def _entry(d):
    return DossierSearchEntry.objects.filter(pk=d.pk).values_list("name_folded", "name_lower", "code",
                                                                  "id_number").first()


def test_a_submitted_and_a_walk_in_dossier_each_get_their_entry():
    w = make_world()
    online = w.submit()
    counter = w.walk_in(applicant_data={**APPLICANT, "name": "ĐẶNG Thu Hà", "id_number": "051190000999"})
    assert _entry(online) == ("tran thi binh", "trần thị bình", online.code, "051190000123")
    assert _entry(counter) == ("dang thu ha", "đặng thu hà", counter.code, "051190000999")


def test_rows_written_without_model_save_get_their_entry_too():
    w = make_world()
    template = w.submit()
    copies = Dossier.objects.bulk_create([
        Dossier(code=f"BULK-{i}", procedure=w.procedure, agency=w.agency, current_agency=w.agency, channel="online",
                rule_version=template.rule_version, applicant_name=f"Lê Văn Tám {i}", applicant_id_number=f"05119000{i:04}")
        for i in range(3)])
    assert [_entry(d) for d in copies] == [
        (f"le van tam {i}", f"lê văn tám {i}", f"BULK-{i}", f"05119000{i:04}") for i in range(3)]
    # a queryset update of the watched columns (as a data-repair command would run) is followed as well
    Dossier.objects.filter(pk=copies[0].pk).update(applicant_name_folded="le van tam moi", code="BULK-NEW")
    assert _entry(copies[0])[0::2] == ("le van tam moi", "BULK-NEW")


def _found(q):
    return set(Dossier.objects.filter(DossierSearchEntry.matching(q)).values_list("code", flat=True))


def test_a_rename_moves_the_entry_and_the_search_finds_the_new_name_only():
    w = make_world()
    d = w.submit()
    d.applicant_name = "Phạm Quốc Việt"
    d.save(update_fields=["applicant_name", "applicant_name_folded", "applicant_name_lower"])
    assert _entry(d)[:2] == ("pham quoc viet", "phạm quốc việt")
    assert _found("pham quoc viet") == _found("Phạm Quốc") == _found(d.code.lower()) == _found("051190000123") == {d.code}
    assert _found("tran thi binh") == _found("Phẩm") == set()


def test_a_status_change_does_not_write_the_entry():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 10))
    # a mark the triggers would overwrite if they wrote the entry on every update of the dossier row
    DossierSearchEntry.objects.filter(pk=d.pk).update(name_folded="untouched")
    lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 3, 9))
    lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 3, 9))
    assert Dossier.objects.get(pk=d.pk).status == "processing"
    assert _entry(d)[0] == "untouched"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row versions (xmin) are PostgreSQL's")
def test_on_postgresql_a_transition_leaves_the_entry_row_version_as_it_was():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 10))

    def versions():
        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT xmin::text FROM dossiers_dossier WHERE id = %s), "
                        "(SELECT xmin::text FROM dossiers_dossiersearchentry WHERE dossier_id = %s)", [d.pk, d.pk])
            return cur.fetchone()

    dossier_before, entry_before = versions()
    lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 3, 9))
    dossier_after, entry_after = versions()
    assert dossier_after != dossier_before  # the dossier row was rewritten…
    assert entry_after == entry_before  # …its search entry was not


def test_the_entry_goes_with_its_dossier():
    w = make_world()
    d = w.submit()
    Dossier.objects.filter(pk=d.pk).delete()
    assert not DossierSearchEntry.objects.filter(pk=d.pk).exists()
