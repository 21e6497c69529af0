"""Synthetic scanned Vietnamese administrative pages with known text.

Used by the tests, the OCR benchmark (bench/ocr.py) and demo data: a page is rendered with the
Liberation / DejaVu fonts shipped by Debian, then degraded like a counter scan (skew, blur, noise,
uneven lighting). Everything is driven by a seed, so a page set is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"),
             Path("/usr/share/fonts/truetype/dejavu")]
FONT_FILES = ["LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf", "DejaVuSans.ttf", "DejaVuSerif.ttf"]
BOLD_FILES = {"LiberationSerif-Regular.ttf": "LiberationSerif-Bold.ttf",
              "LiberationSans-Regular.ttf": "LiberationSans-Bold.ttf",
              "DejaVuSans.ttf": "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf": "DejaVuSerif-Bold.ttf"}

SURNAMES = ["NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ"]
MIDDLE = ["VĂN", "THỊ", "HỮU", "ĐỨC", "MINH", "NGỌC", "THANH", "QUỐC", "XUÂN", "THU"]
GIVEN = ["AN", "BÌNH", "CƯỜNG", "DŨNG", "GIANG", "HẢI", "HẠNH", "HƯƠNG", "KHÁNH", "LINH", "LONG", "MAI",
         "NAM", "NGA", "PHÚC", "QUANG", "SƠN", "THẢO", "TUẤN", "YẾN"]
PLACES = ["Xã Tịnh Sơn, tỉnh Quảng Ngãi", "Phường Cẩm Thành, tỉnh Quảng Ngãi", "Xã Bình Sơn, tỉnh Quảng Ngãi",
          "Phường Trương Quang Trọng, tỉnh Quảng Ngãi", "Xã Nghĩa Hành, tỉnh Quảng Ngãi",
          "Đặc khu Lý Sơn, tỉnh Quảng Ngãi", "Xã Đức Phổ, tỉnh Quảng Ngãi"]
TITLES = ["TỜ KHAI ĐĂNG KÝ KHAI SINH", "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC", "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
          "ĐƠN ĐỀ NGHỊ CHỨNG THỰC", "GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH", "TỜ KHAI XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"]
SENTENCES = [
    "Kính gửi: Ủy ban nhân dân xã nơi tôi đang cư trú.",
    "Tôi xin cam đoan những nội dung khai trên đây là đúng sự thật.",
    "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết theo quy định.",
    "Hồ sơ gồm tờ khai, giấy chứng sinh và giấy tờ tùy thân của người yêu cầu.",
    "Thời hạn giải quyết là ba ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Người yêu cầu nhận kết quả tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích.",
    "Lệ phí được miễn đối với trường hợp đăng ký đúng hạn theo quy định hiện hành.",
    "Tôi chịu trách nhiệm trước pháp luật về tính chính xác của thông tin đã cung cấp.",
    "Quan hệ với người được đăng ký: cha đẻ, cùng cư trú tại địa chỉ nêu trên.",
    "Nơi đăng ký: Ủy ban nhân dân cấp xã theo địa giới hành chính mới.",
    "Số điện thoại liên hệ và thư điện tử được dùng để nhận thông báo về hồ sơ.",
    "Mục đích sử dụng: bổ sung hồ sơ học tập và thực hiện thủ tục hành chính khác.",
]


def font_path(name: str) -> str:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"Không tìm thấy phông chữ {name} (cài fonts-liberation2 / fonts-dejavu-core).")


def available_fonts() -> list[str]:
    found = []
    for name in FONT_FILES:
        try:
            font_path(name)
            found.append(name)
        except FileNotFoundError:
            continue
    return found


@dataclass
class SyntheticPage:
    image: Image.Image
    text: str
    fields: dict


def render_lines(lines: list[tuple[str, bool]], *, font_name: str = "LiberationSerif-Regular.ttf",
                 size_px: int = 40, width: int = 1654, margin: int = 110, line_gap: float = 1.7,
                 fit: bool = False) -> Image.Image:
    """Draw lines (text, bold) on a white page; width 1654 px ≈ A4 at 200 dpi. ``fit``: only as tall as the
    lines, not an A4 page."""
    regular = ImageFont.truetype(font_path(font_name), size_px)
    bold = ImageFont.truetype(font_path(BOLD_FILES.get(font_name, font_name)), size_px)
    step = int(size_px * line_gap)
    height = margin * 2 + step * len(lines)
    if not fit:
        height = max(int(width * 1.414), height)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    y = margin
    for text, is_bold in lines:
        draw.text((margin, y), text, font=bold if is_bold else regular, fill=0)
        y += step
    return page


def wrap_lines(lines: list[tuple[str, bool]], *, font_name: str, size_px: int, width: int = 1654,
               margin: int = 110) -> list[tuple[str, bool]]:
    """Break long lines at word boundaries so every line fits between the margins."""
    regular = ImageFont.truetype(font_path(font_name), size_px)
    bold = ImageFont.truetype(font_path(BOLD_FILES.get(font_name, font_name)), size_px)
    room = width - 2 * margin
    out: list[tuple[str, bool]] = []
    for text, is_bold in lines:
        font = bold if is_bold else regular
        current = ""
        for word in text.split(" "):
            trial = f"{current} {word}".strip()
            if current and font.getlength(trial) > room:
                out.append((current, is_bold))
                current = word
            else:
                current = trial
        out.append((current, is_bold))
    return out


def degrade(image: Image.Image, rng: random.Random, *, skew_deg: float | None = None, blur: float | None = None,
            noise: float | None = None) -> Image.Image:
    """Make a clean render look like a cheap counter scan."""
    import numpy as np

    skew_deg = rng.uniform(-3.0, 3.0) if skew_deg is None else skew_deg
    blur = rng.uniform(0.5, 1.1) if blur is None else blur
    noise = rng.uniform(0.02, 0.05) if noise is None else noise
    img = image.rotate(skew_deg, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(img, dtype=np.float32)
    h, w = arr.shape
    nrng = np.random.default_rng(rng.randrange(2**32))
    # Uneven lighting and a grey paper tone, ink not quite black.
    gradient = np.linspace(0, rng.uniform(25, 60), w, dtype=np.float32)[None, :]
    arr = 45 + arr * (180 / 255.0) - gradient
    arr += nrng.normal(0, 14, size=arr.shape)
    # Salt-and-pepper dust from the scanner glass.
    mask = nrng.random(arr.shape)
    arr[mask < noise / 2] = 20
    arr[mask > 1 - noise / 2] = 240
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def citizen_identity(rng: random.Random) -> dict:
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    year = rng.randint(1950, 2005)
    dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
    century_gender = rng.choice([0, 1]) if year < 2000 else rng.choice([2, 3])
    id_number = f"051{century_gender}{year % 100:02d}{rng.randint(0, 999999):06d}"
    return {"full_name": name, "date_of_birth": dob, "id_number": id_number, "address": rng.choice(PLACES)}


def administrative_page(seed: int, *, degrade_page: bool = True, n_sentences: int = 8) -> SyntheticPage:
    """One A4 form page with a header, a title, the applicant's key fields and body text."""
    rng = random.Random(seed)
    who = citizen_identity(rng)
    lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True), ("", False),
             (rng.choice(TITLES), True), ("", False),
             (f"Họ và tên: {who['full_name']}", False),
             (f"Ngày sinh: {who['date_of_birth']}", False),
             (f"Số định danh cá nhân: {who['id_number']}", False),
             (f"Nơi cư trú: {who['address']}", False)]
    lines += [(s, False) for s in rng.sample(SENTENCES, n_sentences)]
    lines += [("", False), (f"Quảng Ngãi, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm 2025", False),
              ("Người yêu cầu", True)]
    font_name, size_px = rng.choice(available_fonts()), rng.randint(36, 42)
    lines = wrap_lines(lines, font_name=font_name, size_px=size_px)
    image = render_lines(lines, font_name=font_name, size_px=size_px)
    if degrade_page:
        image = degrade(image, rng)
    text = "\n".join(t for t, _ in lines if t)
    return SyntheticPage(image=image, text=text, fields=who)


def identity_card_page(*, degrade_page: bool = True, seed: int = 7) -> SyntheticPage:
    """A page carrying the fields of a citizen identity card, as in the counter test."""
    lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True), ("", False),
             ("CĂN CƯỚC CÔNG DÂN", True), ("", False),
             ("Số: 051090001234", False), ("Họ và tên: NGUYỄN VĂN AN", False), ("Ngày sinh: 01/02/1990", False),
             ("Giới tính: Nam    Quốc tịch: Việt Nam", False),
             ("Nơi thường trú: Xã Tịnh Sơn, tỉnh Quảng Ngãi", False)]
    image = render_lines(lines, font_name="LiberationSans-Regular.ttf", size_px=40)
    if degrade_page:
        image = degrade(image, random.Random(seed), skew_deg=2.0, blur=0.7, noise=0.03)
    fields = {"id_number": "051090001234", "full_name": "NGUYỄN VĂN AN", "date_of_birth": "01/02/1990",
              "address": "Xã Tịnh Sơn, tỉnh Quảng Ngãi"}
    return SyntheticPage(image=image, text="\n".join(t for t, _ in lines if t), fields=fields)


def document_scan(title: str, who: dict) -> bytes:
    """A small PNG of one paper document as the counter scans it (the demo's scans): its title, the person's name and
    identity number with the labels the OCR looks for (documents.ocr.extract_fields). Only as large as its text, so
    Tesseract reads it in a fraction of a second."""
    import io

    lines = [(title.upper(), True), (f"Họ và tên: {who['name']}", False),
             (f"Số định danh cá nhân: {who['id_number']}", False)]
    font_name, size_px, width, margin = "LiberationSans-Regular.ttf", 26, 1000, 30
    lines = wrap_lines(lines, font_name=font_name, size_px=size_px, width=width, margin=margin)
    image = render_lines(lines, font_name=font_name, size_px=size_px, width=width, margin=margin, line_gap=1.5,
                         fit=True)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()
