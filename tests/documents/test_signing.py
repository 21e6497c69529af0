"""PAdES signing with the agency certificate and verification of uploaded signed PDFs."""

import os
import stat

import pytest
from cryptography import x509
from django.core.management import call_command

from motcua.demo import pki
from motcua.documents import signing

from .conftest import make_pdf


@pytest.fixture
def agency(people):
    return people["agency"]


def test_sign_then_verify_is_valid_and_trusted(agency):
    signed = signing.sign_pdf(make_pdf("Quyet dinh"), agency)
    result = signing.verify_pdf(signed)
    assert result.signed and result.intact and result.trusted and result.valid
    assert result.signer == "UBND xã Tịnh Sơn"
    assert result.signed_at is not None
    assert result.signatures[0].covers_whole_document
    assert result.reasons == []
    assert "hợp lệ" in result.verdict


def test_tampered_byte_is_invalid(agency):
    signed = bytearray(signing.sign_pdf(make_pdf("Quyet dinh"), agency))
    # Flip one byte inside the signed range (the page content, before the signature dictionary).
    pos = signed.index(b"stream") + 20
    signed[pos] = (signed[pos] + 1) % 256
    result = signing.verify_pdf(bytes(signed))
    assert result.signed
    assert not result.intact and not result.valid
    assert any("thay đổi" in r for r in result.reasons)


def test_signed_by_untrusted_ca_is_not_trusted(agency, tmp_path):
    from pyhanko.sign import signers

    pki.ensure_demo_ca()  # the installation's own demo root is the trust anchor
    root, inter = pki.create_ca(tmp_path / "rogue", common_name="CA giả mạo", intermediate_name="CA giả mạo 2")
    cert = pki.issue_signing_certificate(inter, tmp_path / "rogue", "fake", "UBND xã Tịnh Sơn", "Giả mạo")
    signer = signers.SimpleSigner.load(str(cert.key_path), str(cert.cert_path),
                                       ca_chain_files=[str(inter.cert_path), str(root.cert_path)])
    result = signing.verify_pdf(signing.sign_with(make_pdf(), signer))
    assert result.signed and result.intact
    assert not result.trusted and not result.valid
    assert any("tin cậy" in r for r in result.reasons)


def test_unsigned_pdf_reported_as_unsigned():
    result = signing.verify_pdf(make_pdf())
    assert not result.signed and not result.valid
    assert result.verdict == "Tệp không có chữ ký số."


def test_content_appended_after_signature_is_flagged(agency):
    import io

    from pyhanko.pdf_utils.generic import TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = signing.sign_pdf(make_pdf(), agency)
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    w.root["/Lang"] = TextStringObject("vi")
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    result = signing.verify_pdf(out.getvalue())
    assert result.signatures[0].intact
    assert not result.signatures[0].covers_whole_document


def test_second_signature_keeps_both_valid(agency, people):
    once = signing.sign_pdf(make_pdf(), agency)
    twice = signing.sign_pdf(once, agency, reason="Ký phát hành")
    result = signing.verify_pdf(twice)
    assert len(result.signatures) == 2
    assert result.valid


def test_create_demo_pki_command(agency, settings, tmp_path):
    call_command("create_demo_pki")
    folder = tmp_path / "pki"
    root = x509.load_pem_x509_certificate((folder / "root-ca.crt").read_bytes())
    inter = x509.load_pem_x509_certificate((folder / "intermediate-ca.crt").read_bytes())
    leaf_path = folder / "agencies" / "agency-H55_201.crt"
    leaf = x509.load_pem_x509_certificate(leaf_path.read_bytes())
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert inter.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    assert leaf.issuer == inter.subject
    ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert pki.DOCUMENT_SIGNING in eku
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key in folder.rglob("*.key"):
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    # Running again keeps the CA (certificates already issued stay valid).
    before = (folder / "root-ca.crt").read_bytes()
    call_command("create_demo_pki")
    assert (folder / "root-ca.crt").read_bytes() == before


def test_missing_certificate_without_auto_issue(agency, settings):
    from motcua.core.errors import DomainError

    settings.MOTCUA_PKI_AUTO_ISSUE = False
    with pytest.raises(DomainError) as exc:
        signing.sign_pdf(make_pdf(), agency)
    assert exc.value.code == "signing_certificate_missing"
    assert exc.value.status == 409


@pytest.mark.parametrize(("config", "codes"), [
    ({}, {"pkcs11_not_configured"}),
    ({"lib": "/khong/co/module.so"}, {"signing_certificate_missing"}),
    ({"lib": "/khong/co/module.so", "default": {"cert_label": "a", "key_label": "a"}},
     {"pkcs11_unavailable", "pkcs11_open_failed"}),
])
def test_pkcs11_adapter_refuses_clearly_without_a_token(agency, settings, config, codes):
    from motcua.core.errors import DomainError

    settings.MOTCUA_SIGNER_BACKEND = "pkcs11"
    settings.MOTCUA_PKCS11 = config
    with pytest.raises(DomainError) as exc:
        signing.sign_pdf(make_pdf(), agency)
    assert exc.value.code in codes
    assert exc.value.status == 409


def test_uploaded_signed_pdf_is_verified_on_upload(agency, people, tmp_path):
    from motcua.documents.attachments import store_upload

    good = store_upload(signing.sign_pdf(make_pdf(), agency), owner=people["citizen"], name="kq.pdf")
    assert good.is_signed and good.signature["valid"] and good.signature["signer"] == "UBND xã Tịnh Sơn"

    root, inter = pki.create_ca(tmp_path / "rogue2", common_name="CA lạ", intermediate_name="CA lạ 2")
    cert = pki.issue_signing_certificate(inter, tmp_path / "rogue2", "x", "Ai đó", "Ai đó")
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(str(cert.key_path), str(cert.cert_path), ca_chain_files=[str(inter.cert_path)])
    odd = store_upload(signing.sign_with(make_pdf(), signer), owner=people["citizen"], name="la.pdf")
    assert odd.is_signed and odd.signature["intact"] and not odd.signature["trusted"]

    plain = store_upload(make_pdf(), owner=people["citizen"], name="a.pdf")
    assert not plain.is_signed and plain.signature == {}
