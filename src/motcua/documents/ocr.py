"""OCR of counter scans: preprocessing, Tesseract `vie`, searchable PDF, key-field extraction.

Pipeline per page: greyscale → flatten uneven lighting → denoise (median) → deskew (projection
profile search) → Tesseract LSTM with the Vietnamese model, which binarizes the clean greyscale page
itself (an Otsu pass of our own is optional, MOTCUA_OCR_BINARIZE=1). Tesseract runs as a
subprocess through pytesseract with OMP_THREAD_LIMIT=1, so parallelism comes from running pages in
several processes, not from OpenMP threads fighting over the same cores.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from PIL import Image

# One OpenMP thread per Tesseract run (set for the library before it loads; parallelism comes from workers).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2  # noqa: E402
import pytesseract  # noqa: E402

from motcua.core.cccd import is_valid_id_number

TESS_CONFIG = "--oem 1 --psm 4"
MAX_OCR_SIDE = 4000  # px; larger scans are scaled down before OCR
SCAN_DPI = 200  # PDF pages are rendered at this resolution; an image that does not say its own is taken as this


# ---------------------------------------------------------------- preprocessing

def _to_gray(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    arr = np.asarray(image)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    return arr


def _limit_size(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    side = max(h, w)
    if side > MAX_OCR_SIDE:
        scale = MAX_OCR_SIDE / side
        gray = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    return gray


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide by a blurred estimate of the paper so a lighting gradient or grey tone disappears."""
    h, w = gray.shape
    k = max(31, (min(h, w) // 25) | 1)
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k // 4 | 1,) * 2))
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def estimate_skew(binary_ink: np.ndarray, max_angle: float = 6.0) -> float:
    """Angle (degrees, counter-clockwise like PIL.rotate) that makes text lines horizontal.

    Searches the rotation whose horizontal projection profile is the most peaked (text lines and
    the gaps between them separate best), coarse then fine, on a downscaled ink mask.
    """
    h, w = binary_ink.shape
    scale = 800 / max(h, w)
    small = cv2.resize(binary_ink, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    small = small.astype(np.float32)
    sh, sw = small.shape
    center = (sw / 2, sh / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0)
        profile = rotated.sum(axis=1)
        return float(np.sum(np.diff(profile) ** 2))

    best = max(np.arange(-max_angle, max_angle + 0.01, 0.5), key=score)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=score)
    return float(best)


def preprocess(image: Image.Image, *, binarize: bool | None = None) -> tuple[Image.Image, dict]:
    """Return a clean, straight page ready for Tesseract, and what was done.

    By default the page stays greyscale (lighting flattened, dust removed, deskewed) and Tesseract
    binarizes it itself: on the benchmark pages that keeps the thin Vietnamese tone marks on capitals
    (Ê, Ứ, Ủ) that a global Otsu threshold breaks. `binarize=True` adds Otsu + speck removal.
    """
    gray = _limit_size(_to_gray(image))
    flat = flatten_background(gray)
    denoised = cv2.medianBlur(flat, 3)
    _, ink = cv2.threshold(denoised, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    angle = estimate_skew(ink)
    if abs(angle) >= 0.1:
        h, w = denoised.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        denoised = cv2.warpAffine(denoised, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    if binarize is None:
        binarize = settings.MOTCUA_OCR_BINARIZE
    info = {"deskew_degrees": round(angle, 2), "binarized": binarize}
    if not binarize:
        return Image.fromarray(denoised), info
    _, binary = cv2.threshold(denoised, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Remove specks left over from dust: tiny connected components of ink.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    small = np.where(stats[:, cv2.CC_STAT_AREA] <= 3)[0]
    small = small[small != 0]
    if len(small):
        binary[np.isin(labels, small)] = 255
    return Image.fromarray(binary), info


# ---------------------------------------------------------------- OCR

@dataclass
class PageResult:
    text: str
    pdf: bytes | None = None
    info: dict = field(default_factory=dict)


def ocr_image(image: Image.Image, *, clean: bool = True, want_pdf: bool = False) -> PageResult:
    """OCR one page. `clean=False` gives raw Tesseract (the benchmark's baseline)."""
    info: dict = {}
    if clean:
        page, info = preprocess(image)
    else:
        page = image.convert("L") if image.mode not in ("L", "RGB") else image
    pdf = None
    if want_pdf:
        text, pdf = _text_and_pdf(page)
    else:
        text = pytesseract.image_to_string(page, lang=settings.MOTCUA_OCR_LANG, config=TESS_CONFIG)
    return PageResult(text=unicodedata.normalize("NFC", text).strip(), pdf=pdf, info=info)


def _text_and_pdf(page: Image.Image) -> tuple[str, bytes]:
    """The text and the searchable PDF of a page from one Tesseract run (both outputs at once): loading the model
    and recognising the page is most of the cost, and two runs did it twice."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        source, base = os.path.join(tmp, "page.png"), os.path.join(tmp, "out")
        page.save(source, "PNG")
        pytesseract.pytesseract.run_tesseract(source, base, "txt pdf", settings.MOTCUA_OCR_LANG, config=TESS_CONFIG)
        with open(f"{base}.txt", encoding="utf-8") as fh:
            text = fh.read()
        with open(f"{base}.pdf", "rb") as fh:
            return text, fh.read()


def ocr_available() -> bool:
    try:
        return settings.MOTCUA_OCR_LANG in pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError):
        return False


def _render_dpi(data: bytes, preferred: int = SCAN_DPI) -> int:
    """200 dpi, lowered for oversized pages so no rendered side exceeds MAX_OCR_SIDE pixels."""
    from pypdf import PdfReader

    biggest = max((max(float(p.mediabox.width), float(p.mediabox.height))
                   for p in PdfReader(io.BytesIO(data), strict=False).pages), default=842.0)
    return max(1, min(preferred, int(MAX_OCR_SIDE * 72 / max(biggest, 1.0))))


def pages_from_file(data: bytes, content_type: str) -> list[Image.Image]:
    """Split an uploaded scan into page images (PDF pages rendered at 200 dpi with poppler)."""
    if content_type == "application/pdf":
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.pdf")
            with open(src, "wb") as fh:
                fh.write(data)
            subprocess.run(["pdftoppm", "-r", str(_render_dpi(data)), "-gray", "-png", src, os.path.join(tmp, "p")],
                           check=True, capture_output=True, timeout=300)
            names = sorted(n for n in os.listdir(tmp) if n.startswith("p") and n.endswith(".png"))
            pages = []
            for name in names:
                with Image.open(os.path.join(tmp, name)) as im:
                    im.load()
                    pages.append(im.copy())
            return pages
    image = Image.open(io.BytesIO(data))
    pages = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        pages.append(image.convert("L"))
    return pages


def image_pdf(page: Image.Image) -> bytes:
    """A PDF page holding the scanned page's image alone, no text layer: the digitized copy of a page whose text
    could not be recognised. Sized by the scan's own resolution (else SCAN_DPI)."""
    dpi = page.info.get("dpi") or (SCAN_DPI, SCAN_DPI)
    image = page if page.mode in ("1", "L", "RGB") else page.convert("RGB")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=float(dpi[0]) or SCAN_DPI)
    return out.getvalue()


def merge_pdfs(parts: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- key fields

@dataclass
class ExtractedField:
    value: str
    confidence: float
    raw: str

    def as_dict(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 2), "raw": self.raw}


# Characters Tesseract commonly confuses with digits on noisy scans.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                                   "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9",
                                   "q": "9", "T": "7"})


def _fold_chars(line: str) -> str:
    """Accent-fold character by character so indexes match the NFC line."""
    out = []
    for ch in line:
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        out.append((base or ch)[0])
    return "".join(out).replace("đ", "d").replace("Đ", "D").lower()


# English half of the bilingual labels on the 2024 identity card ("Họ, chữ đệm và tên / Full name:").
_ENGLISH_LABEL = re.compile(r"^[/|]?\s*(full\s*name|no\.?|personal\s*identification\s*number|identity\s*card\s*number|date\s*of\s*birth|place\s*of\s*(residence|origin|birth)|"
                            r"sex|nationality)\s*[:.;]?", re.IGNORECASE)


def _label_line(lines: list[str], patterns: tuple[str, ...]) -> tuple[str, str] | None:
    """First line that starts (give or take a few noise characters) with a label; return (line, rest).

    When the value is not on the label's line (bilingual card layout), the next line is the value.
    """
    for pattern in patterns:
        regex = re.compile(r"^\W{0,3}" + pattern)
        for i, line in enumerate(lines):
            m = regex.search(_fold_chars(line))
            if m:
                rest = line[m.end():].lstrip(" :.;-_\t").strip()
                rest = _ENGLISH_LABEL.sub("", rest).lstrip(" :.;-_\t").strip()
                if not rest and i + 1 < len(lines):
                    return f"{line} {lines[i + 1]}", lines[i + 1].strip()
                return line, rest
    return None


def _extract_id_number(lines: list[str], text: str) -> ExtractedField | None:
    found = _label_line(lines, (r"s[o0]\s*(dinh\s*danh(\s*ca\s*nhan)?|cccd|can\s*cuoc(\s*cong\s*dan)?|cmnd)\s*[:.;]?",
                                r"s[o0]\s*[:;]"))
    candidates = []
    if found:
        raw = found[1]
        token = re.sub(r"[\s.\-]", "", raw.translate(_DIGIT_LOOKALIKES))
        m = re.search(r"\d{12}", token)
        if m:
            exact = re.sub(r"[\s.\-]", "", raw)[: len(m.group(0)) + 2]
            conf = 0.95 if m.group(0) in exact else 0.75
            candidates.append(ExtractedField(m.group(0), conf, found[0]))
    if not candidates:
        for m in re.finditer(r"(?<!\d)(\d[\d .]{10,16}\d)(?!\d)", text):
            digits = re.sub(r"\D", "", m.group(1))
            if len(digits) == 12:
                candidates.append(ExtractedField(digits, 0.6, m.group(0)))
                break
    for cand in candidates:
        if not is_valid_id_number(cand.value):
            cand.confidence *= 0.5
    return candidates[0] if candidates else None


_NAME_CHARS = re.compile(r"[^A-ZÀ-ỸĐa-zà-ỹđ ]")


def _extract_name(lines: list[str]) -> ExtractedField | None:
    found = _label_line(lines, (r"h[o0]\s*(,?\s*chu\s*dem)?\s*(va|,)?\s*ten(\s*khai\s*sinh)?\s*[:.;]?",))
    if not found:
        return None
    raw = found[1]
    cleaned = re.sub(r"\s+", " ", _NAME_CHARS.sub(" ", raw)).strip()
    if not cleaned:
        return None
    words = cleaned.split()
    conf = 0.9
    if cleaned != raw.strip():
        conf -= 0.2
    if not 2 <= len(words) <= 6:
        conf -= 0.3
    if any(len(w) == 1 for w in words):
        conf -= 0.1
    return ExtractedField(cleaned.upper(), max(conf, 0.1), found[0])


def _extract_date_of_birth(lines: list[str], text: str) -> ExtractedField | None:
    import datetime as dt

    found = _label_line(lines, (r"ngay\s*,?\s*(thang\s*,?\s*nam\s*)?sinh\s*[:.;]?", r"sinh\s*ngay\s*[:.;]?"))
    source = found[1] if found else ""
    conf = 0.9
    m = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", source.translate(_DIGIT_LOOKALIKES))
    if not m:
        m = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", text)
        conf = 0.5
        source = m.group(0) if m else ""
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        dt.date(year, month, day)
    except ValueError:
        return ExtractedField(f"{day:02d}/{month:02d}/{year}", 0.2, source)
    if found and m.group(0) not in found[1]:
        conf -= 0.15  # needed look-alike repair
    return ExtractedField(f"{day:02d}/{month:02d}/{year}", conf, found[0] if found else source)


def _extract_address(lines: list[str]) -> ExtractedField | None:
    found = _label_line(lines, (r"n[o0]i\s*(thuong\s*tru|cu\s*tru)\s*[:.;]?", r"dia\s*chi(\s*thuong\s*tru)?\s*[:.;]?",
                                r"que\s*quan\s*[:.;]?"))
    if not found or not found[1]:
        return None
    value = re.sub(r"\s+", " ", found[1]).strip(" .")
    conf = 0.85 if re.search(r"(xã|phường|đặc khu|tỉnh|thành phố)", value, re.IGNORECASE) else 0.5
    return ExtractedField(value, conf, found[0])


def _extract_document_number(lines: list[str]) -> ExtractedField | None:
    """"Số giấy tờ", "Số hiệu", "Số văn bản", "Số hộ chiếu", "Số giấy khai sinh/chứng nhận": the first token after it."""
    found = _label_line(lines, (r"s[o0]\s*(giay\s*to|hieu|van\s*ban|ho\s*chieu|giay\s*(khai\s*sinh|chung\s*nhan))\s*[:.;]?",))
    if not found or not found[1]:
        return None
    m = re.match(r"[\w./\-]*\w", found[1])
    if not m:
        return None
    value = m.group(0)
    return ExtractedField(value, 0.85 if any(ch.isdigit() for ch in value) else 0.4, found[0])


def extract_fields(text: str) -> dict:
    """Key fields for the officer to confirm: {name: {value, confidence, raw}}; missing ones are left out."""
    text = unicodedata.normalize("NFC", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = {}
    for name, value in (("id_number", _extract_id_number(lines, text)), ("full_name", _extract_name(lines)),
                        ("date_of_birth", _extract_date_of_birth(lines, text)),
                        ("document_number", _extract_document_number(lines)), ("address", _extract_address(lines))):
        if value is not None:
            out[name] = value.as_dict()
    return out


# ---------------------------------------------------------------- error rate

def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance ÷ reference length, on whitespace-normalized NFC text."""
    from rapidfuzz.distance import Levenshtein

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()

    ref, hyp = norm(reference), norm(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
