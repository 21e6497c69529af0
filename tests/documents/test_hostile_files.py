"""Hostile uploads built by hand: Word files that run, embed or fetch, PDFs that point outside themselves."""

import io
import zipfile

import pytest

from motcua.documents.attachments import store_upload

from .test_uploads import _pdf_with, refuse

OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MS_OFFICE = "http://schemas.microsoft.com/office/2006/relationships/"
CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE compound file header (VBA, OLE objects)


def word(text="Đơn đề nghị cấp bản sao") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def repack(data: bytes, *, parts=None, types=(), rels=(), rels_part="word/_rels/document.xml.rels",
           retype=None) -> bytes:
    """The same package with extra parts, content-type overrides and relationships (a rels part is created)."""
    parts = parts or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {name: src.read(name) for name in src.namelist()}
    ctypes = files["[Content_Types].xml"].decode()
    if retype:
        ctypes = ctypes.replace(*retype)
    overrides = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in types)
    files["[Content_Types].xml"] = ctypes.replace("</Types>", overrides + "</Types>").encode()
    existing = files.get(rels_part, b'<?xml version="1.0"?><Relationships '
                         b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    added = "".join(f'<Relationship Id="rIdX{i}" Type="{t}" Target="{target}"'
                    + (' TargetMode="External"' if external else "") + "/>"
                    for i, (t, target, external) in enumerate(rels))
    files[rels_part] = existing.decode().replace("</Relationships>", added + "</Relationships>").encode()
    files.update(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return out.getvalue()


def test_macro_part_renamed_but_linked_as_a_vba_project_is_refused(people, tmp_path):
    data = repack(word(), parts={"word/media/anh-the.png": CFB},
                  types=[("word/media/anh-the.png", "image/png")],
                  rels=[(MS_OFFICE + "vbaProject", "media/anh-the.png", False)])
    assert not any("vba" in n.lower() for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    err = refuse(people, tmp_path, data, "don.docx", "docx_macro")
    assert err.details == {"relationship": "vbaproject"}


MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@pytest.mark.parametrize("ctypes", [
    {"types": [("word/du-lieu.xml", "application/vnd.ms-office.vbaProject")], "parts": {"word/du-lieu.xml": CFB}},
    {"retype": (MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml")},
], ids=["vba-part-by-type", "docm-renamed"])
def test_macro_content_types_are_refused(people, tmp_path, ctypes):
    refuse(people, tmp_path, repack(word(), **ctypes), "don.docx", "docx_macro")


@pytest.mark.parametrize("name, ctype", [
    ("word/embeddings/oleObject1.bin", "application/vnd.openxmlformats-officedocument.oleObject"),
    ("word/media/hinh.emf", "image/x-emf"),  # an innocent name and type: the relationship gives it away
])
def test_embedded_ole_object_is_refused(people, tmp_path, name, ctype):
    data = repack(word(), parts={name: CFB}, types=[(name, ctype)],
                  rels=[(OFFICE + "oleObject", name.removeprefix("word/"), False)])
    err = refuse(people, tmp_path, data, "bang-ke.docx", "docx_embedded_object")
    assert "nhúng" in err.message


def test_alternative_format_chunk_is_refused(people, tmp_path):
    data = repack(word(), parts={"word/chunk.rtf": b"{\\rtf1 {\\object}}"}, types=[("word/chunk.rtf", "application/rtf")],
                  rels=[(OFFICE + "aFChunk", "chunk.rtf", False)])
    refuse(people, tmp_path, data, "don.docx", "docx_embedded_object")


@pytest.mark.parametrize("rel_type, target, rels_part", [
    ("attachedTemplate", "https://mau-don.example/don.dotm", "word/_rels/settings.xml.rels"),
    ("attachedTemplate", "file://may-chu/chia-se/mau.dotm", "word/_rels/settings.xml.rels"),
    ("image", "\\\\may-chu\\chia-se\\anh.png", "word/_rels/document.xml.rels"),
    ("frame", "https://theo-doi.example/khung.html", "word/_rels/webSettings.xml.rels"),
], ids=["remote-template", "unc-template", "linked-image", "frame"])
def test_remote_content_is_refused(people, tmp_path, rel_type, target, rels_part):
    data = repack(word(), rels=[(OFFICE + rel_type, target, True)], rels_part=rels_part)
    err = refuse(people, tmp_path, data, "don.docx", "docx_external_reference")
    assert err.details["relationship"] == rel_type.lower() and "bên ngoài" in err.message


def test_a_plain_web_link_is_fine(people):
    data = repack(word(), rels=[(OFFICE + "hyperlink", "https://dichvucong.gov.vn/", True)])
    assert store_upload(data, owner=people["citizen"], name="don.docx").content_type.endswith("document")


# ---------------------------------------------------------------- PDF

def _link(action):
    """A page with one link annotation running `action` (a dict of PDF names/strings)."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    def value(v):
        return NameObject(v) if v.startswith("/") else TextStringObject(v)

    def mutate(w):
        act = DictionaryObject({NameObject(k): (DictionaryObject({NameObject(a): value(b) for a, b in v.items()})
                                                if isinstance(v, dict) else value(v)) for k, v in action.items()})
        annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                  NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50),
                                                                    FloatObject(50)]),
                                  NameObject("/A"): w._add_object(act)})
        w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(annot)])

    return _pdf_with(mutate)


@pytest.mark.parametrize("action", [
    {"/S": "/GoToR", "/F": "\\\\may-chu\\chia-se\\ho-so.pdf"},
    {"/S": "/GoToE", "/T": {"/R": "/C", "/N": "dinh-kem"}},
    {"/S": "/URI", "/URI": "\\\\may-chu\\chia-se\\anh.png"},
    {"/S": "/URI", "/URI": "file://may-chu/chia-se/anh.png"},
    {"/S": "/GoToR", "/F": {"/FS": "/URL", "/F": "https://theo-doi.example/x.pdf"}},
], ids=["gotor-unc", "gotoe", "uri-unc", "uri-file", "url-file-spec"])
def test_pdf_pointing_outside_itself_is_refused(people, tmp_path, action):
    err = refuse(people, tmp_path, _link(action), "giay-to.pdf", "pdf_remote_reference")
    assert "bên ngoài" in err.message


def test_pdf_launch_link_is_refused(people, tmp_path):
    refuse(people, tmp_path, _link({"/S": "/Launch", "/F": "cmd.exe"}), "giay-to.pdf", "pdf_active_content")


def test_pdf_with_a_web_link_is_fine(people):
    data = _link({"/S": "/URI", "/URI": "https://dichvucong.gov.vn/"})
    assert store_upload(data, owner=people["citizen"], name="giay-to.pdf").content_type == "application/pdf"
