"""Whatever reaches the API — a body Django cannot parse, a database that is busy or away — the answer is the
documented JSON error (code + Vietnamese message), never an HTML page and never a 500."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from motcua.documents.models import Attachment
from motcua.dossiers.models import Dossier

from .conftest import submit_body

pytestmark = pytest.mark.django_db
UPLOAD = "/api/v1/documents/attachments"


def multipart(filename: str, content: bytes = b"%PDF-1.4\n%%EOF\n", boundary: str = "XyZ") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"] and not body["message"].isascii()  # Vietnamese
    return body


def test_thousand_character_file_name_is_json_400_and_stores_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    r = world.client("citizen").post(UPLOAD, multipart("a" * 1000 + ".pdf"),
                                     content_type="multipart/form-data; boundary=XyZ")
    assert_json_error(r, 400, "malformed_multipart")
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*.pdf"))


@pytest.mark.parametrize("content_type, body, status, code", [
    ("multipart/form-data", b"--x\r\n", 400, "malformed_multipart"),  # no boundary
    ("multipart/form-data; boundary=XyZ", b"garbage without parts", 422, "invalid_input"),
    ("application/json", b'{"kind": "component"}', 422, "invalid_input"),  # an upload sent as JSON
])
def test_wrong_or_broken_content_type_on_upload(world, content_type, body, status, code):
    r = world.client("citizen").post(UPLOAD, body, content_type=content_type)
    assert_json_error(r, status, code)


@pytest.mark.parametrize("content_type, body, code", [
    ("application/json", b'{"procedure_code": "1.0', "invalid_json"),
    ("application/json", b'{"procedure_code": "\xff\xfe\xfd"}', "invalid_json"),  # not UTF-8
    ("text/plain", b"procedure_code=1.001193&agency_code=H55.101", "invalid_json"),
    ("application/xml", b"<dossier/>", "invalid_json"),
])
def test_body_that_is_not_json_is_json_400(world, content_type, body, code):
    r = world.client("citizen").post("/api/v1/dossiers", body, content_type=content_type)
    assert_json_error(r, 400, code)
    assert not Dossier.objects.exists()


def test_too_many_form_fields_is_413_json(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(50))
    r = world.client("citizen").post(UPLOAD, body, content_type="application/x-www-form-urlencoded")
    assert_json_error(r, 413, "too_many_parts")


def test_oversized_upload_is_413_json(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024
    r = world.client("citizen").post(UPLOAD, multipart("lon.pdf", b"%PDF-1.4\n" + b"0" * 5000),
                                     content_type="multipart/form-data; boundary=XyZ")
    assert_json_error(r, 413, "file_too_large")


def test_nul_bytes_in_the_multipart_file_name_and_fields(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    r = world.client("citizen").post(UPLOAD, multipart("to\x00khai.pdf"), content_type="multipart/form-data; boundary=XyZ")
    assert r.status_code in (201, 422), r.content  # stored under a cleaned name, or refused as not a PDF
    if r.status_code == 201:
        assert "\x00" not in r.json()["original_name"]


def test_unknown_api_path_is_json_404(world):
    r = Client().get("/api/v1/khong-co-dau")
    assert_json_error(r, 404, "not_found")
    r = Client().post("/api/v1/dossiers/", b"{}", content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


# ---------------------------------------------------------------- the database


class _Transient(Exception):
    sqlstate = "40P01"  # deadlock_detected, as psycopg reports it


def failing(table: str, *, times: int, error=None):
    """A database that fails the first `times` statements touching `table`."""
    calls = {"failed": 0}

    def wrapper(execute, sql, params, many, context):
        if table in sql and calls["failed"] < times:
            calls["failed"] += 1
            if error is not None:
                raise error
            exc = OperationalError("deadlock detected")
            exc.__cause__ = _Transient()
            raise exc
        return execute(sql, params, many, context)

    return wrapper, calls


def test_lost_database_connection_is_503_json_with_retry_after(world):
    wrapper, _ = failing("dossiers_dossier", times=99, error=OperationalError("server closed the connection"))
    with connection.execute_wrapper(wrapper):
        r = world.client("citizen").get("/api/v1/dossiers")
    body = assert_json_error(r, 503, "database_unavailable")
    assert r["Retry-After"] == "2" and "thử lại" in body["message"]


@pytest.mark.django_db(transaction=True)
def test_deadlock_on_a_read_is_retried(world):
    wrapper, calls = failing("dossiers_dossier", times=2)
    with connection.execute_wrapper(wrapper):
        r = world.client("citizen").get("/api/v1/dossiers")
    assert r.status_code == 200 and calls["failed"] == 2


@pytest.mark.django_db(transaction=True)
def test_deadlock_on_a_write_is_retried_only_with_an_idempotency_key(world):
    client = world.client("citizen")
    wrapper, calls = failing("dossiers_dossier", times=1)
    with connection.execute_wrapper(wrapper):
        r = client.post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    body = assert_json_error(r, 503, "database_busy")
    assert r["Retry-After"] == "2" and "Idempotency-Key" in body["message"]
    assert calls["failed"] == 1 and not Dossier.objects.exists()  # not re-run, nothing half-written

    wrapper, calls = failing("dossiers_dossier", times=1)
    with connection.execute_wrapper(wrapper):
        r = client.post("/api/v1/dossiers", submit_body(world), content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201 and calls["failed"] == 1
    assert Dossier.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deadlock_on_a_dossier_action_is_retried_and_recorded_once(world):
    """A dossier action writes only inside its one transaction: an aborted try left nothing, so it runs again."""
    from motcua.audit.models import AuditEntry
    from motcua.dossiers.models import DossierEvent

    r = world.client("citizen").post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    code = r.json()["code"]
    wrapper, calls = failing("dossiers_dossierevent", times=2)
    with connection.execute_wrapper(wrapper):
        r = world.client("counter").post(f"/api/v1/dossiers/{code}/receive", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "received" and calls["failed"] == 2
    assert DossierEvent.objects.filter(action="receive").count() == 1
    assert AuditEntry.objects.filter(action="dossier.receive").count() == 1


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded(world):
    wrapper, calls = failing("dossiers_dossier", times=99)
    with connection.execute_wrapper(wrapper):
        r = world.client("citizen").get("/api/v1/dossiers")
    assert_json_error(r, 503, "database_busy")
    assert calls["failed"] == 3


def test_database_error_before_the_operation_runs_is_json_too(world):
    """Token look-up (authentication) fails: still the JSON answer."""
    wrapper, _ = failing("accounts_apitoken", times=99, error=OperationalError("connection refused"))
    with connection.execute_wrapper(wrapper):
        r = world.client("citizen").get("/api/v1/dossiers")
    assert_json_error(r, 503, "database_unavailable")


@pytest.mark.django_db(transaction=True)
def test_a_real_postgresql_deadlock_is_recognised_as_worth_retrying(world):
    """The retry reads the SQLSTATE psycopg attaches to Django's OperationalError: provoke a real deadlock."""
    import threading

    from django.db import connections, transaction

    from motcua.api.errors import describe, is_transient
    from motcua.units.models import Agency

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (real concurrent transactions)")
    first, second = world.agency.pk, world.other_agency.pk
    both_locked_one = threading.Barrier(2, timeout=10)
    errors = []

    def lock(order):
        try:
            with transaction.atomic():
                Agency.objects.select_for_update().get(pk=order[0])
                both_locked_one.wait()
                Agency.objects.select_for_update().get(pk=order[1])
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lock, args=(order,)) for order in ((first, second), (second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(errors) == 1 and is_transient(errors[0])
    status, payload, headers = describe(errors[0])
    assert (status, payload["code"], headers) == (503, "database_busy", {"Retry-After": "2"})
