"""Where an agency's signing key and certificate are found: the PKI folder (MOTCUA_PKI_DIR, default
MOTCUA_DATA_DIR/pki; never committed), ``agencies/agency-<code>.key|.crt`` beside the CA certificates.

A real installation puts there the certificates a licensed Vietnamese CA issued, or signs on a USB token
or HSM (signing.Pkcs11SignerAdapter). A missing certificate can be issued by a registered certificate
issuer (``issuers``): a demo installation registers its test CA (motcua.demo.pki).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from motcua.core.backup import BackupFolder, folders
from motcua.core.plugins import Registry


def pki_dir() -> Path:
    return Path(settings.MOTCUA_PKI_DIR)


@folders.register("pki")
class PkiFolder(BackupFolder):
    """Backups carry the agencies' signing keys and certificates (core.backup)."""

    def path(self) -> Path:
        return pki_dir()


@dataclass
class Issued:
    key_path: Path
    cert_path: Path

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())

    def key(self):
        return serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)


def agency_stem(agency_code: str) -> str:
    return "agency-" + re.sub(r"[^A-Za-z0-9_-]", "_", agency_code)


def agency_credentials(agency, folder: Path | None = None) -> Issued | None:
    """The agency's key and certificate under the PKI folder, or None when they are not there."""
    folder = folder or pki_dir()
    found = Issued(folder / "agencies" / f"{agency_stem(agency.code)}.key",
                   folder / "agencies" / f"{agency_stem(agency.code)}.crt")
    if found.key_path.exists() and found.cert_path.exists():
        return found
    return None


# Certificate issuers: plugins that can issue a missing agency certificate into the PKI folder
# (FileSignerAdapter asks them when MOTCUA_PKI_AUTO_ISSUE is on; a real installation turns that off).
issuers: Registry[type] = Registry("certificate issuer")


def issue_missing(agency, folder: Path | None = None) -> Issued | None:
    """The agency's credentials issued by the first registered issuer that can, or None."""
    folder = folder or pki_dir()
    for _, issuer in issuers.items():
        issued = issuer(folder).issue(agency)
        if issued is not None:
            return issued
    return None
