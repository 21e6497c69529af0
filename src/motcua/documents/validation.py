"""Checks an uploaded file must pass before a single byte is stored.

The type comes from the content (magic bytes, `filetype`), never from the name. PDFs are parsed with
pypdf and refused when broken, encrypted or carrying active content; images are refused above a
pixel budget (decompression bombs); DOCX (ZIP) files are refused when their uncompressed size or
compression ratio is abnormal (zip bombs), and when their content types or relationships show macros,
embedded objects or remote content (ooxml.py). PDFs are also refused when they point outside themselves:
another file (GoToR, GoToE, Launch), a URL file specification, or a link to anything but a web or mail
address (a UNC path such as \\\\server\\share leaks the reader's Windows credentials).
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings

from motcua.core.errors import ValidationFailed
from motcua.core.money import format_number

from . import ooxml

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif", DOCX: ".docx"}
IMAGE_TYPES = {JPEG, PNG, TIFF}
TYPE_LABELS = "PDF, JPEG, PNG, TIFF, DOCX"

ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 2000
PDF_MAX_OBJECTS = 200_000

# PDF names that run code, launch programs or smuggle files.
_PDF_ACTIVE = {"/JavaScript": "JavaScript", "/JS": "JavaScript", "/Launch": "lệnh khởi chạy chương trình (Launch)",
               "/EmbeddedFile": "tệp nhúng (EmbeddedFile)", "/EmbeddedFiles": "tệp nhúng (EmbeddedFiles)",
               "/RichMedia": "nội dung đa phương tiện (RichMedia)", "/XFA": "biểu mẫu XFA",
               "/SubmitForm": "lệnh gửi biểu mẫu (SubmitForm)", "/ImportData": "lệnh nhập dữ liệu (ImportData)",
               "/GoToR": "liên kết mở tệp khác (GoToR)", "/GoToE": "liên kết mở tệp nhúng (GoToE)"}
# Links a reader may follow when clicked; anything else (file:, smb:, \\server\share UNC paths…) reaches out.
_PDF_SAFE_URI = ("http://", "https://", "mailto:")
_PDF_REMOTE_URI = "liên kết tới tệp hoặc đường dẫn mạng (URI)"
_PDF_URL_FILE = "tệp tham chiếu qua URL"
_PDF_REMOTE = {_PDF_ACTIVE["/GoToR"], _PDF_ACTIVE["/GoToE"], _PDF_REMOTE_URI, _PDF_URL_FILE}


def _remote_uri(value) -> bool:
    text = str(value.get_object() if hasattr(value, "get_object") else value).strip().lower()
    return not text.startswith(_PDF_SAFE_URI)


def max_upload_bytes() -> int:
    return int(settings.MOTCUA_MAX_UPLOAD_BYTES)


def max_image_pixels() -> int:
    return int(settings.MOTCUA_MAX_IMAGE_PIXELS)


@dataclass
class Inspection:
    content_type: str
    extension: str
    pages: int | None = None


def _fail(code: str, message: str, **kwargs) -> ValidationFailed:
    return ValidationFailed(code, message, **kwargs)


def read_limited(file) -> bytes:
    """Read an uploaded file, refusing it as soon as it passes the size limit."""
    limit = max_upload_bytes()
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    if hasattr(file, "seek"):
        try:
            file.seek(0)
        except (OSError, ValueError):
            pass
    chunks, total = [], 0
    reader = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1024 * 1024), b"")
    for chunk in reader:
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ValidationFailed:
    mb = format_number(limit / (1024 * 1024), 1) if limit % (1024 * 1024) else format_number(limit // (1024 * 1024))
    return _fail("file_too_large", f"Tệp vượt quá dung lượng cho phép ({mb} MB).", status=413,
                 details={"limit_bytes": limit})


def inspect(data: bytes) -> Inspection:
    """Detect the type by content and run the checks for that type; raise ValidationFailed on refusal."""
    if not data:
        raise _fail("file_empty", "Tệp rỗng, không có nội dung.")
    if len(data) > max_upload_bytes():
        raise _too_large(max_upload_bytes())
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime == "application/zip" and _looks_like_docx(data):
        mime = DOCX
    if mime not in ALLOWED_TYPES:
        raise _fail("file_type_not_allowed",
                    f"Định dạng tệp không được chấp nhận. Chỉ nhận các định dạng: {TYPE_LABELS}.",
                    status=415, details={"detected": mime or "unknown"})
    pages = None
    if mime == PDF:
        pages = check_pdf(data)
    elif mime in IMAGE_TYPES:
        pages = check_image(data)
    elif mime == DOCX:
        check_docx(data)
    return Inspection(content_type=mime, extension=ALLOWED_TYPES[mime], pages=pages)


# ---------------------------------------------------------------- PDF

def check_pdf(data: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    broken = _fail("pdf_broken", "Tệp PDF bị hỏng hoặc sai cấu trúc, không đọc được.")
    if not data.lstrip()[:1024].find(b"%PDF-") >= 0 or b"%%EOF" not in data[-2048:]:
        raise broken
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _fail("pdf_encrypted", "Tệp PDF có đặt mật khẩu hoặc mã hóa; vui lòng nộp bản không mã hóa.")
        pages = len(reader.pages)
        if pages == 0:
            raise broken
        if pages > int(settings.MOTCUA_MAX_PDF_PAGES):
            raise _fail("pdf_too_many_pages", "Tệp PDF có quá nhiều trang.")
        root = reader.trailer["/Root"].get_object()
        found: set[str] = set()
        open_action = root.get("/OpenAction")
        if open_action is not None:
            action = open_action.get_object()
            # A bare destination ("open at page 1") is harmless; an action dictionary runs something.
            if isinstance(action, DictionaryObject):
                found.add("lệnh tự chạy khi mở tệp (OpenAction)")
        if "/AA" in root:
            found.add("lệnh tự chạy khi mở tệp (AA)")
        # Walk every object reachable from the trailer, once.
        seen: set[tuple[int, int]] = set()
        stack = [reader.trailer]
        count = 0
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in seen:
                    continue
                seen.add(key)
                obj = obj.get_object()
            count += 1
            if count > PDF_MAX_OBJECTS:
                raise _fail("pdf_too_complex", "Tệp PDF có cấu trúc quá phức tạp, không kiểm tra được.")
            if isinstance(obj, DictionaryObject):
                for k, v in obj.items():
                    if k in _PDF_ACTIVE:
                        found.add(_PDF_ACTIVE[k])
                    if k in ("/S", "/Type", "/Subtype") and isinstance(v, NameObject) and v in _PDF_ACTIVE:
                        found.add(_PDF_ACTIVE[v])
                    if k == "/URI" and _remote_uri(v):
                        found.add(_PDF_REMOTE_URI)
                    if k == "/FS" and v == "/URL":
                        found.add(_PDF_URL_FILE)
                    if k == "/Parent":
                        continue
                    stack.append(v)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
    except ValidationFailed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise broken from None
    except Exception:  # pypdf raises many shapes of error on hostile input
        raise broken from None
    remote = found & _PDF_REMOTE
    if remote and remote == found:
        raise _fail("pdf_remote_reference",
                    "Tệp PDF chứa liên kết tới tệp hoặc địa chỉ bên ngoài (" + ", ".join(sorted(remote)) + "); "
                    "vui lòng in lại ra PDF thường hoặc quét lại giấy tờ.", details={"found": sorted(remote)})
    if found:
        raise _fail("pdf_active_content",
                    "Tệp PDF chứa nội dung có thể gây hại (" + ", ".join(sorted(found)) + "); "
                    "vui lòng in lại ra PDF thường hoặc quét lại giấy tờ.", details={"found": sorted(found)})
    return pages


# ---------------------------------------------------------------- images

def check_image(data: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    limit = max_image_pixels()
    bomb = _fail("image_too_large", "Ảnh có kích thước điểm ảnh quá lớn (nghi ngờ ảnh nén bất thường), "
                 "vui lòng quét lại với độ phân giải thấp hơn (khuyến nghị 200–300 dpi).",
                 details={"max_pixels": limit})
    broken = _fail("image_broken", "Tệp ảnh bị hỏng hoặc không đọc được.")
    old_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with Image.open(io.BytesIO(data)) as im:
            frames = getattr(im, "n_frames", 1)
            if frames > int(settings.MOTCUA_MAX_PDF_PAGES):
                raise _fail("image_too_many_pages", "Tệp ảnh có quá nhiều trang.")
            for i in range(frames):
                im.seek(i)
                width, height = im.size
                if width * height > limit:
                    raise bomb
            im.seek(0)
            im.verify()
        # verify() does not decode pixels; decode every page to catch damaged data (OCR reads them all later).
        with Image.open(io.BytesIO(data)) as im:
            for i in range(frames):
                im.seek(i)
                im.load()
        return frames
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error):
        raise broken from None
    except Exception:  # Pillow's decoders raise many shapes of error on hostile input
        raise broken from None
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit


# ---------------------------------------------------------------- DOCX / ZIP

def _looks_like_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except Exception:  # not a readable ZIP: BadZipFile, NotImplementedError (odd versions), zlib errors…
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def check_docx(data: bytes) -> None:
    check_ooxml(data, "word/document.xml", prefix="docx", label="Word")


def check_ooxml(data: bytes, main_part: str, *, prefix: str, label: str) -> None:
    """An Office Open XML package (.docx, .xlsx): a sound ZIP, no bomb, no macro, no password, main part present."""
    broken = _fail(f"{prefix}_broken", f"Tệp {prefix.upper()} bị hỏng hoặc sai cấu trúc.")
    bomb = _fail("archive_bomb", "Tệp nén có dung lượng giải nén hoặc tỉ lệ nén bất thường, không được chấp nhận.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise bomb
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            if total > ZIP_MAX_UNCOMPRESSED or total / compressed > ZIP_MAX_RATIO:
                raise bomb
            for info in infos:
                if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO * 10:
                    raise bomb
                lowered = info.filename.lower()
                if lowered.endswith("vbaproject.bin") or lowered.endswith(".bin") and "activex" in lowered:
                    raise _fail(f"{prefix}_macro", f"Tệp {label} chứa macro hoặc mã thực thi, không được chấp nhận.")
                if info.flag_bits & 0x1:
                    raise _fail(f"{prefix}_encrypted", f"Tệp {label} có đặt mật khẩu; vui lòng nộp bản không mã hóa.")
            ooxml.check_package(zf, prefix=prefix, label=label)  # by content types and relationships
            # Read the main part with a hard cap, so a lying header cannot expand without bound.
            with zf.open(main_part) as fh:
                head = fh.read(ZIP_MAX_UNCOMPRESSED + 1)
                if len(head) > ZIP_MAX_UNCOMPRESSED:
                    raise bomb
    except ValidationFailed:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, NotImplementedError):
        raise broken from None
    except Exception:  # zlib / zipfile errors on hostile input
        raise broken from None
