"""What an Office package (.docx, .xlsx) is allowed to carry, read from its content types and relationships, not its part names.

An Office Open XML package (ECMA-376 part 2, Open Packaging Conventions) says what each part is in
``[Content_Types].xml`` and how parts use each other in ``*.rels`` relationship parts. Word acts on those,
whatever the parts are called, so a macro part renamed ``word/media/anh.png`` still runs when a
``vbaProject`` relationship points at it. ``check_package(zf)`` refuses (ValidationFailed):

- macros and ActiveX: a macro-enabled main document or template type, a part typed as a VBA project,
  VBA data, ActiveX control or key-map customizations, or a relationship of those types;
- embedded objects: OLE objects, embedded packages and alternative-format chunks (``altChunk``, which
  can carry RTF or HTML with their own objects);
- remote content: any relationship with ``TargetMode="External"`` other than a hyperlink (hyperlinks are
  followed only when clicked): an external attached template, a linked image, frame or sub-document is
  fetched by Word on opening (and a UNC path leaks the reader's Windows credentials).
"""

from __future__ import annotations

import posixpath
import zipfile

from defusedxml import ElementTree

from motcua.core.errors import ValidationFailed

MAX_XML_BYTES = 2 * 1024 * 1024  # [Content_Types].xml and one .rels part: kilobytes in real documents

MACRO_TYPES = {
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
    "application/vnd.ms-excel.addin.macroenabled.main+xml",
    "application/vnd.ms-office.vbaproject",
    "application/vnd.ms-office.vbadata+xml",
    "application/vnd.ms-word.vbadata+xml",
    "application/vnd.ms-office.activex+xml",
    "application/vnd.ms-office.activex",
    "application/vnd.ms-word.keymapcustomizations+xml",
    "application/vnd.ms-word.attachedtoolbars",
}
EMBEDDED_TYPES = {
    "application/vnd.openxmlformats-officedocument.oleobject",
    "application/vnd.ms-office.oleobject",
    "application/x-msdownload",
}
# Relationship types by their last path segment (transitional, strict and Microsoft namespaces alike).
MACRO_RELATIONSHIPS = {"vbaproject", "wordvbadata", "keymapcustomizations", "attachedtoolbars", "control",
                       "activexcontrol", "activexcontrolbinary"}
EMBEDDED_RELATIONSHIPS = {"oleobject", "package", "afchunk", "subdocument"}
SAFE_EXTERNAL = {"hyperlink"}

MACRO_MESSAGE = "Tệp {label} chứa macro hoặc mã thực thi, không được chấp nhận."
EMBEDDED_MESSAGE = ("Tệp {label} có đối tượng nhúng (OLE, tệp đính kèm bên trong); vui lòng lưu lại thành tệp "
                    "thường hoặc in ra PDF.")
EXTERNAL_MESSAGE = ("Tệp {label} tham chiếu tới nội dung bên ngoài (mẫu, hình ảnh hoặc tài liệu tải từ xa); vui "
                    "lòng lưu lại thành tệp thường hoặc in ra PDF.")


def _broken(prefix: str) -> ValidationFailed:
    return ValidationFailed(f"{prefix}_broken", f"Tệp {prefix.upper()} bị hỏng hoặc sai cấu trúc.")


def _xml(zf: zipfile.ZipFile, name: str, prefix: str):
    with zf.open(name) as fh:
        body = fh.read(MAX_XML_BYTES + 1)
    if len(body) > MAX_XML_BYTES:
        raise _broken(prefix)
    return ElementTree.fromstring(body)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _content_types(zf: zipfile.ZipFile, prefix: str) -> dict[str, str]:
    """Content type of every part of the package (Override by part name, else Default by extension)."""
    defaults, overrides = {}, {}
    for node in _xml(zf, "[Content_Types].xml", prefix):
        kind = _local(node.tag)
        ctype = (node.get("ContentType") or "").strip().lower()
        if kind == "Default":
            defaults[(node.get("Extension") or "").lower()] = ctype
        elif kind == "Override":
            overrides[(node.get("PartName") or "").lstrip("/").lower()] = ctype
    types = {}
    for name in zf.namelist():
        part = name.lower()
        types[part] = overrides.get(part) or defaults.get(posixpath.splitext(part)[1].lstrip("."), "")
    return types


def _relationships(zf: zipfile.ZipFile, prefix: str):
    """(rels part, relationship type's last segment, external?) for every relationship of the package."""
    for name in zf.namelist():
        if not name.lower().endswith(".rels"):
            continue
        for node in _xml(zf, name, prefix):
            if _local(node.tag) != "Relationship":
                continue
            rel_type = (node.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            yield name, rel_type, (node.get("TargetMode") or "").lower() == "external"


def check_package(zf: zipfile.ZipFile, *, prefix: str = "docx", label: str = "Word") -> None:
    """Refuses macros, embedded objects and remote content; error codes start with ``prefix`` (docx, xlsx)."""
    if "[Content_Types].xml" not in zf.namelist():
        raise _broken(prefix)
    macro = (f"{prefix}_macro", MACRO_MESSAGE.format(label=label))
    embedded = (f"{prefix}_embedded_object", EMBEDDED_MESSAGE.format(label=label))
    # A .docm renamed .docx is caught here too: its main part is typed macro-enabled.
    for part, ctype in _content_types(zf, prefix).items():
        if ctype in MACRO_TYPES:
            raise ValidationFailed(*macro, details={"part": part, "content_type": ctype})
        if ctype in EMBEDDED_TYPES:
            raise ValidationFailed(*embedded, details={"part": part})
    for rels, rel_type, external in _relationships(zf, prefix):
        if rel_type in MACRO_RELATIONSHIPS:
            raise ValidationFailed(*macro, details={"relationship": rel_type})
        if rel_type in EMBEDDED_RELATIONSHIPS:
            raise ValidationFailed(*embedded, details={"relationship": rel_type})
        if external and rel_type not in SAFE_EXTERNAL:
            raise ValidationFailed(f"{prefix}_external_reference", EXTERNAL_MESSAGE.format(label=label),
                                   details={"relationship": rel_type, "in": rels})
