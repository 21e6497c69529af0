"""Whatever bytes arrive, validation answers "accepted" or a ValidationFailed with a code — never a crash."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.documents import validation

from .conftest import make_pdf, make_png


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + "xin chào " * 50 + "</w:document>")
    return buf.getvalue()


SEEDS = [make_pdf(), make_png((120, 80)), _docx()]


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((64, 64), 50).save(buf, "JPEG")
    return buf.getvalue()


SEEDS.append(_jpeg())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(range(len(SEEDS))),
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0.05, 1)))
def test_mutated_files_never_crash_validation(seed, edits, cut):
    data = bytearray(SEEDS[seed])
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: max(1, int(cut * len(data)))]
    try:
        result = validation.inspect(bytes(data))
    except ValidationFailed as exc:
        assert exc.code and exc.message and 400 <= exc.status < 500
    else:
        assert result.content_type in validation.ALLOWED_TYPES


_SIGNED: dict = {}


def _signed_pdf(folder) -> tuple[bytes, object]:
    if "pdf" not in _SIGNED:
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.sign import signers

        from motcua.demo import pki
        from motcua.documents import signing

        root, inter = pki.create_ca(folder)
        cert = pki.issue_signing_certificate(inter, folder, "a", "UBND xã Thử", "UBND xã Thử")
        signer = signers.SimpleSigner.load(str(cert.key_path), str(cert.cert_path),
                                           ca_chain_files=[str(inter.cert_path), str(root.cert_path)])
        _SIGNED["pdf"] = signing.sign_with(make_pdf(), signer)
        _SIGNED["root"] = asn1_x509.Certificate.load(root.certificate().public_bytes(serialization.Encoding.DER))
    return _SIGNED["pdf"], _SIGNED["root"]


def _signed_bytes_unchanged(a: bytes, b: bytes) -> bool:
    """True when a and b differ only inside the /Contents gap that the signature does not cover.

    (Whitespace and padding inside that hex string may change without touching signed content.)
    """
    import re

    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", a)
    start, end = int(m.group(1)) + int(m.group(2)), int(m.group(3))
    return a[:start] == b[:start] and a[end:] == b[end:]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4))
def test_mutated_signed_pdf_never_verifies_as_valid_nor_crashes(tmp_path_factory, edits):
    from motcua.documents.signing import verify_pdf

    original, root = _signed_pdf(tmp_path_factory.mktemp("pki"))
    assert verify_pdf(original, roots=[root]).valid
    data = bytearray(original)
    for where, value in edits:
        data[int(where * len(data))] = value
    result = verify_pdf(bytes(data), roots=[root])  # must not raise
    if not _signed_bytes_unchanged(original, bytes(data)):
        assert not result.valid
