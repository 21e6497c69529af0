"""Documents tests: files go to a temporary media folder, keys to a temporary PKI folder."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return tmp_path


def stored_files(root) -> list:
    media = root / "media"
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def make_pdf(text: str = "Giay to thu nghiem") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    # fpdf stamps the current second and an ID from it: fix both so the same text gives the same bytes
    pdf.set_creation_date(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def make_png(size=(60, 40)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", size, 200).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def people(db):
    agency = AgencyFactory(code="H55.201", name="UBND xã Tịnh Sơn")
    proc = procedure_with_steps(code="1.009001", name="Đăng ký khai sinh",
                                components=("Tờ khai đăng ký khai sinh", "Căn cước công dân"))
    proc.agencies.add(agency)
    return {
        "agency": agency,
        "procedure": proc,
        "citizen": citizen(username="congdan", full_name="Nguyễn Văn An", id_number="051090001234"),
        "other_citizen": citizen(username="khac", full_name="Lê Thị Khác", id_number="051190000999"),
        "counter": officer("counter_officer", agency, username="quay1"),
        "leader": officer("leader", agency, username="lanhdao1"),
    }


def make_dossier(people, *, status="received", id_number="051090001234", **kw):
    from motcua.dossiers.models import Dossier

    now = timezone.now()
    return Dossier.objects.create(
        procedure=people["procedure"], agency=people["agency"], current_agency=people["agency"], status=status,
        channel="counter", rule_version="118/2025", applicant=people["citizen"], applicant_name="Nguyễn Văn An",
        applicant_id_number=id_number, received_at=now if status != "submitted" else None,
        code=kw.pop("code", f"H55.201-251123-{Dossier.objects.count() + 1:04d}"), **kw)
