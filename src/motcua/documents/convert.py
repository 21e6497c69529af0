"""Word → PDF with LibreOffice headless (`soffice --headless --convert-to pdf`; scripts/system-packages.sh installs
libreoffice-writer-nogui). Each run has its own LibreOffice profile, so conversions in parallel processes do not
wait on each other's profile lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from motcua.core.errors import DomainError

TIMEOUT_S = 180


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF LibreOffice makes of a .docx; DomainError (Vietnamese message) when it cannot."""
    binary = soffice()
    if binary is None:
        raise DomainError("pdf_converter_missing", "Máy chủ chưa cài LibreOffice nên chưa chuyển được tệp Word "
                                                   "sang PDF; liên hệ quản trị hệ thống.", status=503)
    with tempfile.TemporaryDirectory(prefix="motcua-soffice-") as tmp:
        src = os.path.join(tmp, "van-ban.docx")
        with open(src, "wb") as fh:
            fh.write(data)
        try:
            subprocess.run([binary, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                            "--convert-to", "pdf", "--outdir", tmp, src],
                           check=True, capture_output=True, timeout=TIMEOUT_S, env={**os.environ, "HOME": tmp})
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DomainError("pdf_conversion_failed", "Không chuyển được tệp Word sang PDF.", status=422) from exc
        out = os.path.join(tmp, "van-ban.pdf")
        if not os.path.exists(out):
            raise DomainError("pdf_conversion_failed", "Không chuyển được tệp Word sang PDF.", status=422)
        with open(out, "rb") as fh:
            return fh.read()
