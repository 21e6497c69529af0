"""The demo public-key infrastructure: root CA → intermediate CA → one certificate per agency.

For demos and tests only (``manage.py create_demo_pki``; the file signer asks ``DemoCertificateAuthority``
for a missing agency certificate while MOTCUA_PKI_AUTO_ISSUE is on). Keys are written under the PKI folder
(motcua.documents.pki), mode 0600, and never committed (var/ is ignored).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from motcua.documents.pki import Issued, agency_stem, issuers, pki_dir

# id-kp-documentSigning (RFC 9336)
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _name(common_name: str, org: str = "Một Cửa Số — PKI thử nghiệm") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(folder: Path, stem: str, key, cert: x509.Certificate) -> Issued:
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / f"{stem}.key", folder / f"{stem}.crt"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Issued(key_path, cert_path)


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int, now: dt.datetime):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def create_ca(folder: Path, *, common_name: str = "Một Cửa Số Demo Root CA",
              intermediate_name: str = "Một Cửa Số Demo Issuing CA", stem_prefix: str = "") -> tuple[Issued, Issued]:
    """Create a self-signed root (pathlen 1) and an intermediate (pathlen 0) that issues agency certificates."""
    now = dt.datetime.now(dt.UTC)
    root_key = _new_key()
    root_name = _name(common_name)
    root_cert = (_builder(root_name, root_name, root_key.public_key(), 3650, now)
                 .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
                 .add_extension(_ca_usage(), critical=True)
                 .sign(root_key, hashes.SHA256()))
    root = _write(folder, f"{stem_prefix}root-ca", root_key, root_cert)

    inter_key = _new_key()
    inter_name = _name(intermediate_name)
    inter_cert = (_builder(inter_name, root_name, inter_key.public_key(), 1825, now)
                  .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                  .add_extension(_ca_usage(), critical=True)
                  .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                                 critical=False)
                  .sign(root_key, hashes.SHA256()))
    intermediate = _write(folder, f"{stem_prefix}intermediate-ca", inter_key, inter_cert)
    return root, intermediate


def issue_signing_certificate(issuer: Issued, folder: Path, stem: str, common_name: str,
                              organization: str, days: int = 730) -> Issued:
    """An end-entity certificate for signing documents: digitalSignature + nonRepudiation, documentSigning."""
    now = dt.datetime.now(dt.UTC)
    issuer_cert, issuer_key = issuer.certificate(), issuer.key()
    key = _new_key()
    cert = (_builder(_name(common_name, organization), issuer_cert.subject, key.public_key(), days, now)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
            .sign(issuer_key, hashes.SHA256()))
    return _write(folder, stem, key, cert)


def demo_ca(folder: Path | None = None) -> tuple[Issued, Issued] | None:
    folder = folder or pki_dir()
    root = Issued(folder / "root-ca.key", folder / "root-ca.crt")
    inter = Issued(folder / "intermediate-ca.key", folder / "intermediate-ca.crt")
    if root.cert_path.exists() and inter.cert_path.exists() and inter.key_path.exists():
        return root, inter
    return None


def ensure_demo_ca(folder: Path | None = None) -> tuple[Issued, Issued]:
    folder = folder or pki_dir()
    return demo_ca(folder) or create_ca(folder)


@issuers.register("demo_ca")
class DemoCertificateAuthority:
    """Issues agency certificates from the demo CA under the PKI folder (created on first use)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def issue(self, agency) -> Issued:
        _, inter = ensure_demo_ca(self.folder)
        return issue_signing_certificate(inter, self.folder / "agencies", agency_stem(agency.code),
                                         agency.name[:64], agency.name[:64])
