"""PAdES signatures on results and slips, and verification of signed PDFs (pyHanko).

Signing goes through a signer backend of the ``signers`` registry (motcua.core.plugins), chosen by
settings.MOTCUA_SIGNER_BACKEND:
- "file" (default): the agency's key and certificate as files under the PKI folder; with
  MOTCUA_PKI_AUTO_ISSUE (default on) a missing agency certificate is issued by a registered
  certificate issuer (motcua.documents.pki.issuers: the demo CA in demo installs);
- "pkcs11": a USB token / HSM through PKCS#11 (Pkcs11SignerAdapter, see README.md).

Verification reports, for every signature: who signed, when (the time the signer claims, or a
timestamp when present), whether the bytes are intact, whether the certificate chains to a trusted
root, and the reasons in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.plugins import Registry

from . import pki

log = logging.getLogger(__name__)


class SigningUnavailable(DomainError):
    status = 409


# ---------------------------------------------------------------- signer backends

signers: Registry[type] = Registry("signer")


@signers.register("file")
class FileSignerAdapter:
    """Key + certificate files (PEM) for an agency, chained to the CA certificates beside them."""

    def __init__(self, folder: Path | None = None, auto_issue: bool | None = None):
        self.folder = folder or pki.pki_dir()
        self.auto_issue = settings.MOTCUA_PKI_AUTO_ISSUE if auto_issue is None else auto_issue

    def signer_for(self, agency):
        from pyhanko.sign import signers

        creds = pki.agency_credentials(agency, self.folder)
        if creds is None and self.auto_issue:
            creds = pki.issue_missing(agency, self.folder)
        if creds is None:
            raise SigningUnavailable("signing_certificate_missing",
                                     f"Cơ quan {agency.name} chưa được cấu hình chứng thư số để ký điện tử.")
        chain = [str(p) for p in (self.folder / "intermediate-ca.crt", self.folder / "root-ca.crt") if p.exists()]
        return signers.SimpleSigner.load(str(creds.key_path), str(creds.cert_path), ca_chain_files=chain)


@signers.register("pkcs11")
class Pkcs11SignerAdapter:
    """Sign with a key that never leaves a PKCS#11 token (USB token of a licensed CA, or an HSM).

    settings.MOTCUA_PKCS11 = {
        "lib": "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",   # the token vendor's PKCS#11 module
        "token_label": "VNPT-CA",                               # or "slot": 0
        "pin_env": "MOTCUA_PKCS11_PIN",                         # the PIN is read from this variable
        "agencies": {"H55.01": {"cert_label": "ubnd-xa", "key_label": "ubnd-xa"}},
        "default": {"cert_label": "...", "key_label": "..."},   # optional
    }
    Needs `python-pkcs11` (pip install 'pyHanko[pkcs11]'); not exercised by the test-suite.
    """

    def __init__(self, config: dict | None = None):
        self.config = config if config is not None else settings.MOTCUA_PKCS11
        self._session = None

    def _open(self):
        if self._session is not None:
            return self._session
        try:
            from pyhanko.sign import pkcs11 as p11
        except ImportError as exc:  # pragma: no cover - depends on optional package
            raise SigningUnavailable("pkcs11_unavailable",
                                     "Chưa cài thư viện PKCS#11 (python-pkcs11) để ký bằng thiết bị USB token.") from exc
        lib = self.config.get("lib")
        if not lib:
            raise SigningUnavailable("pkcs11_not_configured", "Chưa cấu hình thiết bị ký số PKCS#11.")
        criteria = None
        if self.config.get("token_label"):
            criteria = p11.TokenCriteria(label=self.config["token_label"])
        pin = settings.MOTCUA_PKCS11_PIN
        try:
            self._session = p11.open_pkcs11_session(lib, slot_no=self.config.get("slot"), token_criteria=criteria,
                                                    user_pin=pin)
        except Exception as exc:  # pragma: no cover - needs a token
            raise SigningUnavailable("pkcs11_open_failed",
                                     "Không mở được thiết bị ký số (kiểm tra USB token, mã PIN và cấu hình).") from exc
        return self._session

    def signer_for(self, agency):
        if not self.config.get("lib"):
            raise SigningUnavailable("pkcs11_not_configured", "Chưa cấu hình thiết bị ký số PKCS#11.")
        labels = self.config.get("agencies", {}).get(agency.code) or self.config.get("default")
        if not labels:
            raise SigningUnavailable("signing_certificate_missing",
                                     f"Cơ quan {agency.name} chưa được gán chứng thư số trên thiết bị ký.")
        session = self._open()
        from pyhanko.sign import pkcs11 as p11  # pragma: no cover - needs a token

        return p11.PKCS11Signer(session, cert_label=labels.get("cert_label"),  # pragma: no cover
                                key_label=labels.get("key_label"))

    def close(self):  # pragma: no cover - needs a token
        if self._session is not None:
            self._session.close()
            self._session = None


def signer_backend():
    """The configured signer (an unknown name falls back to the file signer)."""
    return (signers.get(settings.MOTCUA_SIGNER_BACKEND) or signers["file"])()


# ---------------------------------------------------------------- signing

def _next_field_name(data: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        existing = len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception:  # an unsigned or unusual PDF: start at 1
        existing = 0
    return f"MotCuaSo_ChuKy_{existing + 1}"


def sign_with(pdf_bytes: bytes, signer, *, reason: str = "Ký số kết quả giải quyết thủ tục hành chính",
              location: str | None = None, name: str | None = None) -> bytes:
    """Append a PAdES (B-B, or B-T when MOTCUA_TSA_URL is set) signature with a pyHanko signer."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise ValidationFailed("pdf_broken", "Tệp PDF bị hỏng hoặc sai cấu trúc, không ký được.") from exc
    timestamper = None
    tsa = settings.MOTCUA_TSA_URL
    if tsa:  # pragma: no cover - needs a network TSA
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa)
    meta = signers.PdfSignatureMetadata(
        field_name=_next_field_name(pdf_bytes), md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=reason, location=location or settings.MOTCUA_PROVINCE_NAME, name=name,
    )
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper)
    return out.getvalue()


def sign_pdf(pdf_bytes: bytes, agency, *, reason: str = "Ký số kết quả giải quyết thủ tục hành chính") -> bytes:
    """Sign a PDF (result, slip) in the name of `agency` with its certificate."""
    backend = signer_backend()
    return sign_with(pdf_bytes, backend.signer_for(agency), reason=reason, name=agency.name)


# ---------------------------------------------------------------- verification

@dataclass
class SignatureCheck:
    field: str
    signer: str
    organization: str
    signed_at: dt.datetime | None
    timestamped: bool
    intact: bool
    trusted: bool
    covers_whole_document: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"field": self.field, "signer": self.signer, "organization": self.organization,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "signed_at_display": _display_time(self.signed_at), "timestamped": self.timestamped,
                "intact": self.intact, "trusted": self.trusted,
                "covers_whole_document": self.covers_whole_document, "reasons": self.reasons}


@dataclass
class VerificationResult:
    signed: bool
    intact: bool
    trusted: bool
    signatures: list[SignatureCheck]
    reasons: list[str]

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted

    @property
    def signer(self) -> str:
        return self.signatures[-1].signer if self.signatures else ""

    @property
    def signed_at(self) -> dt.datetime | None:
        return self.signatures[-1].signed_at if self.signatures else None

    @property
    def verdict(self) -> str:
        if not self.signed:
            return "Tệp không có chữ ký số."
        if not self.intact:
            return "Chữ ký số KHÔNG hợp lệ: nội dung tệp đã bị thay đổi sau khi ký."
        if not self.trusted:
            return "Chữ ký số nguyên vẹn nhưng chứng thư số KHÔNG được tin cậy."
        return "Chữ ký số hợp lệ, chứng thư số được tin cậy."

    def as_dict(self) -> dict:
        return {"signed": self.signed, "intact": self.intact, "trusted": self.trusted, "valid": self.valid,
                "signer": self.signer, "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "verdict": self.verdict, "reasons": self.reasons,
                "signatures": [s.as_dict() for s in self.signatures]}


def _display_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def trust_roots(extra: list | None = None) -> list:
    """Trusted root certificates (asn1crypto): MOTCUA_TRUST_ROOTS files + the demo root when enabled."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    paths = [Path(p) for p in settings.MOTCUA_TRUST_ROOTS]
    if settings.MOTCUA_TRUST_DEMO_ROOT:
        paths.append(pki.pki_dir() / "root-ca.crt")
    roots = list(extra or [])
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            for _, _, der in pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _cert_attr(cert, attr: str) -> str:
    try:
        return cert.subject.native.get(attr, "") or ""
    except Exception:
        return ""


def verify_pdf(pdf_bytes: bytes, *, roots: list | None = None) -> VerificationResult:
    """Check every signature in a PDF against the trusted roots (no network: revocation soft-fails)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots() if roots is None else roots
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        return VerificationResult(signed=False, intact=False, trusted=False, signatures=[],
                                  reasons=["Tệp PDF bị hỏng hoặc đã bị sửa đổi, không đọc được chữ ký."])
    if not embedded:
        return VerificationResult(signed=False, intact=False, trusted=False, signatures=[],
                                  reasons=["Tệp không có chữ ký số."])
    checks: list[SignatureCheck] = []
    for sig in embedded:
        reasons: list[str] = []
        vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(sig, vc)
        except Exception as exc:
            log.info("signature validation failed: %s", exc)
            checks.append(SignatureCheck(field=sig.field_name, signer="", organization="", signed_at=None,
                                         timestamped=False, intact=False, trusted=False,
                                         covers_whole_document=False,
                                         reasons=["Không kiểm tra được chữ ký: dữ liệu chữ ký bị hỏng."]))
            continue
        intact = bool(status.intact and status.valid)
        if not status.intact:
            reasons.append("Nội dung tệp đã bị thay đổi sau khi ký (giá trị băm không khớp).")
        elif not status.valid:
            reasons.append("Giá trị chữ ký không khớp với chứng thư số.")
        trusted = bool(intact and status.trusted)
        if intact and not trusted:
            if status.revoked:
                reasons.append("Chứng thư số của người ký đã bị thu hồi.")
            else:
                reasons.append("Chứng thư số không được cấp bởi tổ chức chứng thực tin cậy, hoặc đã hết hạn, "
                               "hoặc không đúng mục đích sử dụng.")
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        if intact and not whole:
            reasons.append("Tệp có nội dung được bổ sung sau chữ ký này.")
        ts = getattr(status, "timestamp_validity", None)
        signed_at = ts.timestamp if ts is not None else status.signer_reported_dt
        checks.append(SignatureCheck(
            field=sig.field_name, signer=_cert_attr(status.signing_cert, "common_name"),
            organization=_cert_attr(status.signing_cert, "organization_name"), signed_at=signed_at,
            timestamped=ts is not None, intact=intact, trusted=trusted, covers_whole_document=whole,
            reasons=reasons,
        ))
    intact = all(c.intact for c in checks)
    trusted = intact and all(c.trusted for c in checks)
    reasons = [r for c in checks for r in c.reasons]
    return VerificationResult(signed=True, intact=intact, trusted=trusted, signatures=checks, reasons=reasons)
