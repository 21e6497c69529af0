"""Task groups and funding sources: recognising them in what people wrote, and editing them."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Max

from motcua.core.digits import typed_whole
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.money import format_number
from motcua.core.text import fold

from .. import permissions
from ..models import FundingSource, TaskGroup

_ROMAN = re.compile(r"^(nhom\s+)?[ivxlc]+\s*[-–.:)]\s*|^nhom\s+", re.IGNORECASE)
_SOURCE_SPLIT = re.compile(r"[,;+]|\b(?:và|va)\b", re.IGNORECASE)


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def is_roman(text: str) -> bool:
    t = (text or "").strip().upper().rstrip(".")
    return bool(t) and bool(re.fullmatch(r"[IVXLC]+", t))


def match_group(heading: str) -> TaskGroup | None:
    """The catalogue group a written heading names: an exact name or alias first, else the longest
    name or alias the heading contains ("Nhóm phát triển chính quyền số" → Chính quyền số)."""
    text = fold(heading)
    stripped = _ROMAN.sub("", text).strip(" :-")
    best, best_len = None, 0
    for group in TaskGroup.objects.filter(is_active=True):
        for name in group.folded_names():
            if not name:
                continue
            if name in (text, stripped):
                return group
            if name in text and len(name) > best_len:
                best, best_len = group, len(name)
    return best


def resolve_sources(value) -> list[FundingSource]:
    """Codes or names, as a list or as written ("CTX, NSH", "Ngân sách tỉnh, ngân sách thị xã")."""
    if value is None:
        return []
    parts = value if isinstance(value, (list, tuple)) else _SOURCE_SPLIT.split(str(value))
    written = [str(p).strip(" .") for p in parts]  # as typed, to name an unknown one the way it was written
    written = [w for w in written if fold(w)]
    if not written:
        return []
    known = {}
    for source in FundingSource.objects.filter(is_active=True):
        for name in source.folded_names():
            known.setdefault(name, source)
    out, unknown = [], []
    for w in written:
        source = known.get(fold(w))
        if source is None:
            unknown.append(w)
        elif source not in out:
            out.append(source)
    if unknown:
        raise ValidationFailed("unknown_source", "Nguồn vốn không có trong danh mục: " + ", ".join(
            f"\u201c{u}\u201d" for u in unknown) + ". Dùng mã (CTX, NSH, NST, …) hoặc tên trong danh mục nguồn vốn.",
            details={"unknown": unknown})
    return sorted(out, key=lambda s: (s.order, s.code))


def source_codes(sources) -> str:
    return ", ".join(s.code for s in sorted(sources, key=lambda s: (s.order, s.code)))


def source_names(sources) -> str:
    names = [s.name for s in sorted(sources, key=lambda s: (s.order, s.code))]
    return ", ".join(n if i == 0 else n[:1].lower() + n[1:] for i, n in enumerate(names))


# ---- editing (provincial admin) ----

def _clean_aliases(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


MAX_ORDER = 32767  # the column is a PositiveSmallIntegerField


def _entry(model, pk: int | None, code: str):
    """The entry being edited (by its id, when the form edits one; else by its code), or a new one."""
    if pk:
        entry = model.objects.filter(pk=pk).first()
        if entry is None:  # removed meanwhile, or an id the page never showed
            raise NotFound("catalogue_entry_not_found", "Không tìm thấy mục danh mục đang sửa; vui lòng tải lại trang.")
        return entry
    return model.objects.filter(code=code).first() or model()


def _order(value, entry) -> int:
    """The place in the catalogue: as given; when not given, an entry keeps its own and a new one goes last."""
    if value in (None, ""):
        if entry.pk:
            return entry.order
        return (type(entry).objects.aggregate(m=Max("order"))["m"] or 0) + 1
    order = typed_whole(value)
    if order is None or not 0 <= order <= MAX_ORDER:
        raise ValidationFailed("order_invalid", f"Thứ tự phải là số nguyên từ 0 đến {format_number(MAX_ORDER)}.")
    return order


def save_group(user, *, code: str, name: str, framework: str = "", aliases: str = "", order: int | None = None,
               is_active: bool = True, pk: int | None = None) -> TaskGroup:
    permissions.require(permissions.is_provincial_admin(user), "Chỉ quản trị cấp tỉnh sửa được danh mục.")
    code, name = (code or "").strip().lower(), (name or "").strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", code):
        raise ValidationFailed("group_code_invalid", "Mã nhóm chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    if not name:
        raise ValidationFailed("group_name_required", "Cần nhập tên nhóm.")
    group = _entry(TaskGroup, pk, code)
    group.code, group.name, group.framework = code, name[:255], (framework or "").strip()[:100]
    group.aliases, group.order, group.is_active = _clean_aliases(aliases), _order(order, group), bool(is_active)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ValidationFailed("group_code_taken", f"Mã nhóm \u201c{code}\u201d đã có.", status=409) from None
    return group


def save_source(user, *, code: str, name: str, aliases: str = "", order: int | None = None, is_active: bool = True,
                pk: int | None = None) -> FundingSource:
    permissions.require(permissions.is_provincial_admin(user), "Chỉ quản trị cấp tỉnh sửa được danh mục.")
    code, name, aliases = (code or "").strip().upper(), (name or "").strip(), _clean_aliases(aliases)
    if not re.fullmatch(r"[A-Z0-9]{1,16}", code):
        raise ValidationFailed("source_code_invalid", "Mã nguồn vốn gồm chữ in hoa không dấu và số (ví dụ NST).")
    if not name:
        raise ValidationFailed("source_name_required", "Cần nhập tên nguồn vốn.")
    if any(c in name + aliases for c in ",;+"):
        raise ValidationFailed("source_name_separator", "Tên nguồn vốn không được chứa dấu phẩy, chấm phẩy "
                                                        "hoặc dấu cộng (dùng để ngăn cách nhiều nguồn).")
    source = _entry(FundingSource, pk, code)
    source.code, source.name, source.aliases = code, name[:255], aliases
    source.order, source.is_active = _order(order, source), bool(is_active)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        raise ValidationFailed("source_code_taken", f"Mã nguồn vốn \u201c{code}\u201d đã có.", status=409) from None
    return source
