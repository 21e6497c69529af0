import pytest

from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps


@pytest.fixture(autouse=True)
def _second_factor_done(request, monkeypatch):
    """Officers' 2FA is tested in test_twofactor.py (fixture `real_2fa`); elsewhere it counts as done."""
    if "real_2fa" not in request.fixturenames:
        monkeypatch.setattr("motcua.accounts.twofactor.needs_second_factor", lambda request: None)


@pytest.fixture
def real_2fa():
    return True


@pytest.fixture
def world(db):
    """One commune agency with its counter officer, specialist and leader; a second commune; a procedure."""
    agency = AgencyFactory(name="UBND xã Tịnh Khê")
    other = AgencyFactory(name="UBND xã Bình Sơn")
    proc = procedure_with_steps(name="Đăng ký khai sinh", form_schema=[
        {"name": "child_name", "label": "Họ tên người được khai sinh", "type": "text", "required": True},
        {"name": "birth_date", "label": "Ngày sinh", "type": "date", "required": True},
    ])
    proc.agencies.add(agency, other)
    return {
        "agency": agency, "other": other, "proc": proc,
        "counter": officer("counter_officer", agency, username="motcua1"),
        "specialist": officer("specialist", agency, username="chuyenvien1"),
        "leader": officer("leader", agency, username="lanhdao1"),
        "other_counter": officer("counter_officer", other, username="motcua2"),
        "citizen": citizen(username="congdan1", full_name="Trần Thị Mai", id_number="051190001234",
                           phone="0912345678"),
        "citizen2": citizen(username="congdan2", full_name="Lê Văn Nam", id_number="051090005678"),
    }


@pytest.fixture
def submitted(world):
    from motcua.dossiers import lifecycle

    return lifecycle.submit_online(
        applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"}, return_method="online")


def pdf_bytes() -> bytes:
    """A real one-page PDF (the documents checks read the bytes, not the name)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def web_routes() -> list[str]:
    """Every route of the web pages, as Django's resolver holds it (e.g. 'can-bo/ho-so/<id:pk>/'): not Django's
    admin (crawled by test_crawl.py) nor the API (tests/api/test_openapi_fuzz.py)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p, route)
            elif isinstance(p, URLPattern):
                yield route

    return sorted({r for r in walk(get_resolver(), "") if not r.startswith(("admin/", "api/"))})


def ids_above(start: int) -> None:
    """Every table's next id is above ``start`` (PostgreSQL's identity sequences, SQLite's AUTOINCREMENT counters), as
    on an installation in use: an id past 999 written plainly into a page reads "1.234" (tests/web/test_large_ids.py)."""
    from django.apps import apps
    from django.db import connection

    tables = {m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy
              and m._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")}
    with connection.cursor() as cur:
        for table in sorted(tables):
            if connection.vendor == "postgresql":
                cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = cur.fetchone()[0]
                if sequence:
                    cur.execute("SELECT setval(%s, %s)", [sequence, start])
            else:
                cur.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])
