"""Scans brought to the counter: several pages (images and/or PDF) for one component or for the result, checked
all together before anything is kept, then handed to the OCR job (digitization.start_digitization); and the
page images the officer compares with the extracted fields."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile

from django.db import transaction
from PIL import Image

from motcua.core.errors import NotFound, ValidationFailed

from . import validation
from .attachments import check_component, save_bytes
from .digitization import start_digitization
from .models import AttachmentKind, DigitizationJob, DigitizationKind

MAX_SCAN_FILES = 20
PREVIEW_WIDTH = 1000  # px; the confirmation page shows the page beside the fields


def digitize_scans(files, *, dossier, actor, kind: str = DigitizationKind.RECEIPT, component=None, at=None,
                   run_now: bool = False) -> DigitizationJob:
    """Check every file (not empty, within the size limit, an image or a PDF, not hostile), store them as scans
    and queue their OCR. One bad file refuses them all: nothing is stored, no job is created. ``at`` and
    ``run_now``: as ``start_digitization`` (data recorded after the fact, in one process: the demo's history)."""
    files = list(files or [])
    if not files:
        raise ValidationFailed("scan_missing", "Chưa chọn tệp bản quét nào.")
    if len(files) > MAX_SCAN_FILES:
        raise ValidationFailed("scan_too_many", f"Mỗi lần tải tối đa {MAX_SCAN_FILES} tệp bản quét.")
    if kind == DigitizationKind.RECEIPT and component is None:
        raise ValidationFailed("scan_component_missing", "Chọn thành phần hồ sơ của bản quét.")
    check_component(dossier, component)
    checked = []
    for upload in files:
        name = os.path.basename(getattr(upload, "name", "") or "ban-quet")[:255]
        try:
            data = validation.read_limited(upload)
            inspection = validation.inspect(data)
        except ValidationFailed as err:
            if err.code == "file_type_not_allowed":
                inspection = None
            else:
                raise ValidationFailed(err.code, f"Tệp “{name}”: {err.message}", status=err.status) from err
        if inspection is None or inspection.content_type not in validation.IMAGE_TYPES | {validation.PDF}:
            raise ValidationFailed("scan_type_not_allowed",
                                   f"Tệp “{name}” không phải bản quét: chỉ nhận ảnh (JPEG, PNG, TIFF) hoặc PDF.",
                                   status=415)
        checked.append((data, inspection, name))
    owner = dossier.applicant if dossier.applicant_id else None
    with transaction.atomic():  # the scans, the job and its audit entry, or nothing (files removed on rollback)
        sources = [save_bytes(data, inspection=inspection, original_name=name, owner=owner, dossier=dossier,
                              component=component, kind=AttachmentKind.SCAN, uploaded_by=actor, at=at)
                   for data, inspection, name in checked]
        return start_digitization(sources=sources, actor=actor, dossier=dossier, kind=kind, component=component,
                                  at=at, run_now=run_now)


def page_preview(job: DigitizationJob, number: int) -> bytes:
    """PNG of page `number` (1-based) across the job's scans in upload order, scaled to PREVIEW_WIDTH. Page 0 is no
    page (Pillow cannot seek an image to frame -1; poppler would give page 1)."""
    for att in job.sources.order_by("id") if number >= 1 else ():
        data = att.read()
        if att.content_type == validation.PDF:
            count = validation.inspect(data).pages or 0
            if number <= count:
                return _png(_pdf_page(data, number))
        else:
            with Image.open(io.BytesIO(data)) as im:
                count = getattr(im, "n_frames", 1)
                if number <= count:
                    im.seek(number - 1)
                    return _png(im.convert("RGB"))
        number -= count
    raise NotFound("scan_page_not_found", "Không có trang bản quét này.")


def _pdf_page(data: bytes, number: int) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as fh:
            fh.write(data)
        subprocess.run(["pdftoppm", "-r", "100", "-f", str(number), "-l", str(number), "-singlefile", "-png", src,
                        os.path.join(tmp, "p")], check=True, capture_output=True, timeout=60)
        with Image.open(os.path.join(tmp, "p.png")) as im:
            im.load()
            return im.copy()


def _png(image: Image.Image) -> bytes:
    if image.width > PREVIEW_WIDTH:
        image = image.resize((PREVIEW_WIDTH, max(1, image.height * PREVIEW_WIDTH // image.width)))
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()
