"""Uploads are checked by content before anything is stored; every refusal stores nothing."""

import io
import zipfile

import pytest

from motcua.core.errors import ValidationFailed
from motcua.documents.attachments import store_upload
from motcua.documents.models import Attachment

from .conftest import make_pdf, make_png, stored_files


def refuse(people, tmp_path, data: bytes, name: str, code: str):
    with pytest.raises(ValidationFailed) as exc:
        store_upload(data, owner=people["citizen"], name=name)
    assert exc.value.code == code
    assert exc.value.message  # a Vietnamese sentence for the user
    assert Attachment.objects.count() == 0
    assert stored_files(tmp_path) == []
    return exc.value


def test_pdf_is_stored_with_type_from_content(people, tmp_path):
    att = store_upload(make_pdf(), owner=people["citizen"], name="to-khai.exe")
    assert att.content_type == "application/pdf"
    assert att.storage_path.endswith(".pdf")
    assert att.original_name == "to-khai.exe"
    assert att.size == len(make_pdf())
    assert len(att.sha256) == 64
    assert att.read()[:5] == b"%PDF-"
    assert len(stored_files(tmp_path)) == 1


def test_png_named_pdf_is_recorded_as_png(people):
    att = store_upload(make_png(), owner=people["citizen"], name="scan.pdf")
    assert att.content_type == "image/png"


def test_docx_accepted(people):
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Đơn đề nghị")
    d.save(buf)
    att = store_upload(buf.getvalue(), owner=people["citizen"], name="don.docx")
    assert att.content_type.endswith("wordprocessingml.document")


def test_too_large_refused(people, tmp_path, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 2048
    err = refuse(people, tmp_path, make_png((400, 400)) + b"\0" * 4096, "big.png", "file_too_large")
    assert err.status == 413


def test_too_large_uploaded_file_refused_before_reading_all(people, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("a.pdf", make_pdf() + b"\0" * 4096, content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        store_upload(upload, owner=people["citizen"])
    assert exc.value.code == "file_too_large"
    assert Attachment.objects.count() == 0


def test_empty_refused(people, tmp_path):
    refuse(people, tmp_path, b"", "empty.pdf", "file_empty")


@pytest.mark.parametrize("data", [b"MZ\x90\x00" + b"\0" * 200, b"\x7fELF" + b"\0" * 200, "Xin chào".encode() * 20,
                                  b"GIF89a" + b"\0" * 100])
def test_other_types_refused(people, tmp_path, data):
    err = refuse(people, tmp_path, data, "giay-to.pdf", "file_type_not_allowed")
    assert err.status == 415
    assert "PDF" in err.message


def _pdf_with(mutator) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    mutator(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_with_javascript_refused(people, tmp_path):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def add_js(w):
        action = w._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                 NameObject("/JS"): TextStringObject("app.alert('x');")}))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), action])})
        w._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})

    data = _pdf_with(add_js)
    err = refuse(people, tmp_path, data, "js.pdf", "pdf_active_content")
    assert "JavaScript" in err.message


def test_pdf_with_launch_open_action_refused(people, tmp_path):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def launch(w):
        w._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})

    err = refuse(people, tmp_path, _pdf_with(launch), "launch.pdf", "pdf_active_content")
    assert "Launch" in err.message and "OpenAction" in err.message


def test_pdf_with_embedded_file_refused(people, tmp_path):
    err = refuse(people, tmp_path, _pdf_with(lambda w: w.add_attachment("virus.exe", b"MZ...")), "att.pdf",
                 "pdf_active_content")
    assert "EmbeddedFile" in err.message


def test_pdf_open_at_page_destination_is_allowed(people):
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    def goto(w):
        w._root_object[NameObject("/OpenAction")] = ArrayObject([w.pages[0].indirect_reference,
                                                                 NameObject("/XYZ"), NumberObject(0),
                                                                 NumberObject(0), NumberObject(0)])

    assert store_upload(_pdf_with(goto), owner=people["citizen"], name="ok.pdf").pk


@pytest.mark.parametrize("mangle", [lambda d: d[: len(d) // 2],
                                    lambda d: b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage\n%%EOF\n"])
def test_broken_pdf_refused(people, tmp_path, mangle):
    refuse(people, tmp_path, mangle(make_pdf()), "hong.pdf", "pdf_broken")


def test_encrypted_pdf_refused(people, tmp_path):
    refuse(people, tmp_path, _pdf_with(lambda w: w.encrypt("matkhau")), "khoa.pdf", "pdf_encrypted")


def test_image_decompression_bomb_refused(people, tmp_path):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000), 0).save(buf, "PNG")  # 144 Mpx in a few dozen KB
    assert len(buf.getvalue()) < 200_000
    refuse(people, tmp_path, buf.getvalue(), "bom.png", "image_too_large")


def test_truncated_jpeg_refused(people, tmp_path):
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((300, 300), 60).save(buf, "JPEG")
    refuse(people, tmp_path, buf.getvalue()[:1500], "cut.jpg", "image_broken")


def _docx_zip(parts: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_zip_bomb_docx_refused(people, tmp_path):
    data = _docx_zip({"word/document.xml": b" " * (30 * 1024 * 1024)})
    assert len(data) < 100_000
    refuse(people, tmp_path, data, "bom.docx", "archive_bomb")


def test_docx_with_macro_refused(people, tmp_path):
    data = _docx_zip({"word/document.xml": "<w:document/>", "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    refuse(people, tmp_path, data, "macro.docx", "docx_macro")


def test_plain_zip_refused(people, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    refuse(people, tmp_path, buf.getvalue(), "a.zip", "file_type_not_allowed")


def test_component_of_other_procedure_refused(people, tmp_path):
    from tests.factories import procedure_with_steps

    from .conftest import make_dossier

    dossier = make_dossier(people)
    foreign = procedure_with_steps(code="2.000001").components.first()
    refuse_exc = pytest.raises(ValidationFailed)
    with refuse_exc as exc:
        store_upload(make_pdf(), owner=people["citizen"], dossier=dossier, component=foreign)
    assert exc.value.code == "component_not_in_procedure"
    assert stored_files(tmp_path) == []


def test_upload_is_audited(people):
    from motcua.audit.models import AuditEntry

    att = store_upload(make_pdf(), owner=people["citizen"], name="a.pdf")
    entry = AuditEntry.objects.get(action="document.upload")
    assert entry.object_id == str(att.pk)
    assert entry.data["sha256"] == att.sha256


def test_multipage_tiff_accepted_and_oversized_frame_refused(people, tmp_path, settings):
    from PIL import Image

    def tiff(sizes) -> bytes:
        frames = [Image.new("1", s, 1) for s in sizes]
        buf = io.BytesIO()
        frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="group4")
        return buf.getvalue()

    att = store_upload(tiff([(800, 1100), (800, 1100)]), owner=people["citizen"], name="scan.tif")
    assert att.content_type == "image/tiff"
    Attachment.objects.all().delete()
    for f in stored_files(tmp_path):
        f.unlink()
    settings.MOTCUA_MAX_IMAGE_PIXELS = 2_000_000
    refuse(people, tmp_path, tiff([(800, 1100), (4000, 4000)]), "bom.tif", "image_too_large")


def test_tiff_with_a_damaged_later_page_refused_at_upload(people, tmp_path):
    """A scan whose second page is damaged is refused while the citizen is still at the counter, not when OCR
    reaches that page later ("quét lại" after they have left)."""
    from PIL import Image

    pages = [Image.effect_noise((400, 500), 80) for _ in range(2)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    data = bytearray(buf.getvalue())
    with Image.open(io.BytesIO(bytes(data))) as im:
        im.seek(1)
        start, length = im.tag_v2[273][0], im.tag_v2[279][0]  # the second page's strip
    data[start + 10:start + length] = b"\xff" * (length - 10)
    refuse(people, tmp_path, bytes(data), "hong-trang-2.tif", "image_broken")
