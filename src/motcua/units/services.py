"""Administrative units and agencies: loading the 2025 divisions and the agency tree. Reorganizing units
(merging communes) is motcua.units.reorganization.

Unit codes are the official 2025 codes from the `vietnam-provinces` package: a province is its
2-digit code ("51" = Quảng Ngãi), a commune-level unit its 5-digit code ("21025" = Phường Cẩm Thành).

Agency identity codes (mã định danh) are the prefix of every dossier code (Circular 01/2018 art. 19,
unit code per QCVN of Circular 10/2016/TT-BTTTT). The real Quảng Ngãi prefix was not found (see
LEGAL.md §3.1), so the prefix is a configurable default (setting/env MOTCUA_AGENCY_CODE_PREFIX,
default "H51", or `--prefix` on the commands). Scheme used here:

    {P}            Ủy ban nhân dân tỉnh                        e.g. H51
    {P}.01         Trung tâm Phục vụ hành chính công tỉnh       e.g. H51.01
    {P}.02 – .12   the provincial departments (sở), fixed order below
    {P}.06.01      Văn phòng đăng ký đất đai (under Sở Nông nghiệp và Môi trường)
    {P}.90, .91    vertical agencies (tax, police) — sample
    {P}.BB.NN      commune-level People's Committees: BB = 50 + (n-1) // 99, NN = (n-1) % 99 + 1,
                   n = rank of the unit by official code among the province's units (H51.50.01 …)

A code, once given, never changes: re-running keeps existing codes and numbers new units after the
highest one in use (a reorganization adds units, it does not renumber the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from motcua.core.digits import ascii_digits
from motcua.core.errors import NotFound, ValidationFailed

from .models import AGENCY_CODE, AGENCY_CODE_MESSAGE, AdministrativeUnit, Agency, Counter, Department

LEVEL_BY_DIVISION = {
    VietNamDivisionType.XA: AdministrativeUnit.COMMUNE,
    VietNamDivisionType.PHUONG: AdministrativeUnit.WARD,
    VietNamDivisionType.DAC_KHU: AdministrativeUnit.SPECIAL_ZONE,
}
COMMUNE_LEVELS = (AdministrativeUnit.COMMUNE, AdministrativeUnit.WARD, AdministrativeUnit.SPECIAL_ZONE)
COMMUNE_BLOCK_START = 50
LEVEL_WORD = {AdministrativeUnit.COMMUNE: "xã", AdministrativeUnit.WARD: "phường",
              AdministrativeUnit.SPECIAL_ZONE: "đặc khu"}

# (suffix, name, short name, kind, departments) — the departments after the 2025 merger of provincial
# agencies. Names are the official new names; the list is a sample of the main ones, not exhaustive.
PROVINCIAL_AGENCIES = [
    ("01", "Trung tâm Phục vụ hành chính công tỉnh {p}", "TTPVHCC tỉnh", Agency.SERVICE_CENTER,
     [("TNTKQ", "Phòng Tiếp nhận và Trả kết quả"), ("HCTH", "Phòng Hành chính - Tổng hợp")]),
    ("02", "Sở Nội vụ tỉnh {p}", "Sở Nội vụ", Agency.PROVINCIAL_DEPARTMENT, None),
    ("03", "Sở Tư pháp tỉnh {p}", "Sở Tư pháp", Agency.PROVINCIAL_DEPARTMENT, None),
    ("04", "Sở Tài chính tỉnh {p}", "Sở Tài chính", Agency.PROVINCIAL_DEPARTMENT, None),
    ("05", "Sở Xây dựng tỉnh {p}", "Sở Xây dựng", Agency.PROVINCIAL_DEPARTMENT, None),
    ("06", "Sở Nông nghiệp và Môi trường tỉnh {p}", "Sở NN&MT", Agency.PROVINCIAL_DEPARTMENT, None),
    ("07", "Sở Công Thương tỉnh {p}", "Sở Công Thương", Agency.PROVINCIAL_DEPARTMENT, None),
    ("08", "Sở Y tế tỉnh {p}", "Sở Y tế", Agency.PROVINCIAL_DEPARTMENT, None),
    ("09", "Sở Giáo dục và Đào tạo tỉnh {p}", "Sở GD&ĐT", Agency.PROVINCIAL_DEPARTMENT, None),
    ("10", "Sở Văn hóa, Thể thao và Du lịch tỉnh {p}", "Sở VHTTDL", Agency.PROVINCIAL_DEPARTMENT, None),
    ("11", "Sở Khoa học và Công nghệ tỉnh {p}", "Sở KH&CN", Agency.PROVINCIAL_DEPARTMENT, None),
    ("12", "Sở Dân tộc và Tôn giáo tỉnh {p}", "Sở DT&TG", Agency.PROVINCIAL_DEPARTMENT, None),
    ("06.01", "Văn phòng Đăng ký đất đai tỉnh {p}", "VPĐKĐĐ", Agency.PROVINCIAL_DEPARTMENT,
     [("DK", "Phòng Đăng ký và Cấp giấy chứng nhận"), ("KT", "Phòng Kỹ thuật địa chính")]),
    # Vertical agencies: their real identity codes come from their ministries (sample codes here).
    ("90", "Thuế tỉnh {p}", "Thuế tỉnh", Agency.VERTICAL, [("NV", "Phòng Nghiệp vụ")]),
    ("91", "Công an tỉnh {p}", "Công an tỉnh", Agency.VERTICAL, [("QLHC", "Phòng Cảnh sát quản lý hành chính")]),
]
DEPARTMENT_DEFAULT = [("VP", "Văn phòng Sở"), ("NV", "Phòng Nghiệp vụ")]
COMMITTEE_DEPARTMENTS = [("VP", "Văn phòng UBND tỉnh")]
# Decree 150/2025 (organization of commune-level specialized bodies): office + economic + culture-social.
COMMUNE_DEPARTMENTS = [
    ("VP", "Văn phòng HĐND và UBND"),
    ("KT", "Phòng Kinh tế"),
    ("VHXH", "Phòng Văn hóa - Xã hội"),
]
WARD_ECONOMIC = ("KT", "Phòng Kinh tế, Hạ tầng và Đô thị")


def default_prefix() -> str:
    return settings.MOTCUA_AGENCY_CODE_PREFIX


def province_code() -> str:
    return f"{int(settings.MOTCUA_PROVINCE_CODE):02d}"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    def __str__(self):
        return f"tạo mới {self.created}, cập nhật {self.updated}, giữ nguyên {self.unchanged}"


def _province(code) -> Province:
    try:
        return Province.from_code(ProvinceCode(int(code)))
    except (ValueError, TypeError) as exc:
        raise NotFound("province_not_found", f"Không có tỉnh/thành phố mã {code} trong danh mục 2025.") from exc


def _upsert_units(rows: list[dict], report: LoadReport) -> None:
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[r["code"] for r in rows])}
    to_create, to_update = [], []
    for row in rows:
        unit = existing.get(row["code"])
        report.codes.append(row["code"])
        if unit is None:
            to_create.append(AdministrativeUnit(**row))
            continue
        changed = False
        for key, value in row.items():
            if getattr(unit, key) != value:
                setattr(unit, key, value)
                changed = True
        if changed:
            to_update.append(unit)
        else:
            report.unchanged += 1
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        AdministrativeUnit.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=500)
    report.created += len(to_create)
    report.updated += len(to_update)


@transaction.atomic
def load_units(province: str | int | None = None, *, all_provinces: bool = False) -> LoadReport:
    """Create or update the province(s) and their commune-level units from the 2025 list.

    Idempotent: matched by code; names, levels and parents are refreshed, nothing is duplicated.
    Units made inactive by a reorganization stay inactive.
    """
    report = LoadReport()
    provinces = list(Province.iter_all()) if all_provinces else [_province(province or province_code())]
    rows = [{"code": f"{int(p.code):02d}", "name": p.name, "level": AdministrativeUnit.PROVINCE, "parent_id": None}
            for p in provinces]
    _upsert_units(rows, report)
    parents = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[r["code"] for r in rows])}
    wanted = {p.code for p in provinces}
    ward_rows = []
    for ward in Ward.iter_all():
        if ward.province_code not in wanted:
            continue
        ward_rows.append({
            "code": f"{int(ward.code):05d}",
            "name": ward.name,
            "level": LEVEL_BY_DIVISION[ward.division_type],
            "parent_id": parents[f"{int(ward.province_code):02d}"].pk,
        })
    ward_rows.sort(key=lambda r: r["code"])
    _upsert_units(ward_rows, report)
    return report


def commune_agency_code(prefix: str, n: int) -> str:
    """Identity code of the n-th (1-based) commune-level committee: H51.50.01 … H51.50.99, H51.51.01 …"""
    block, number = divmod(n - 1, 99)
    return f"{prefix}.{COMMUNE_BLOCK_START + block}.{number + 1:02d}"


def _commune_rank(code: str, prefix: str) -> int | None:
    parts = code[len(prefix) + 1:].split(".") if code.startswith(prefix + ".") else []
    if len(parts) != 2 or not all(ascii_digits(p) for p in parts) or int(parts[0]) < COMMUNE_BLOCK_START:
        return None
    return (int(parts[0]) - COMMUNE_BLOCK_START) * 99 + int(parts[1])


def _sync_children(agency: Agency, model, items) -> None:
    """Create missing departments/counters by code and refresh names; never deletes (officers hang on them)."""
    existing = {obj.code: obj for obj in model.objects.filter(agency=agency)}
    model.objects.bulk_create([model(agency=agency, code=code, name=name) for code, name in items
                               if code not in existing])
    changed = []
    for code, name in items:
        obj = existing.get(code)
        if obj is not None and obj.name != name:
            obj.name = name
            changed.append(obj)
    if changed:
        model.objects.bulk_update(changed, ["name"])


def _upsert_agency(report: LoadReport, *, code: str, defaults: dict, lookup: dict | None = None,
                   current: Agency | None = None) -> Agency:
    agency = current
    if agency is None and lookup:
        agency = Agency.objects.filter(**lookup).order_by("id").first()
    if agency is None:
        agency = Agency.objects.filter(code=code).first()
    if agency is None:
        agency = Agency.objects.create(code=code, **defaults)
        report.created += 1
    else:
        changed = [k for k, v in defaults.items() if getattr(agency, k) != v]
        for key in changed:
            setattr(agency, key, defaults[key])
        if changed:
            agency.save(update_fields=changed)
            report.updated += 1
        else:
            report.unchanged += 1
    report.codes.append(agency.code)
    return agency


def commune_committee_name(unit: AdministrativeUnit) -> tuple[str, str]:
    word = LEVEL_WORD.get(unit.level, "xã")
    bare = unit.name[len(word) + 1:] if unit.name.lower().startswith(word + " ") else unit.name
    return f"Ủy ban nhân dân {word} {bare}", f"UBND {word} {bare}"


def next_commune_agency_code(prefix: str) -> str:
    """The identity code the next new commune-level committee gets (after the highest one in use)."""
    used = [r for r in (_commune_rank(c, prefix) for c in
                        Agency.objects.filter(code__startswith=prefix + ".").values_list("code", flat=True)) if r]
    return commune_agency_code(prefix, max(used, default=0) + 1)


def commune_departments(level: str) -> list[tuple[str, str]]:
    departments = list(COMMUNE_DEPARTMENTS)
    if level == AdministrativeUnit.WARD:
        departments[1] = WARD_ECONOMIC
    return departments


def commune_counter(short_name: str) -> tuple[str, str]:
    # Since 07/2025 every commune has its own public administration service center holding the counter.
    return "Q01", f"Bộ phận Một cửa — Trung tâm Phục vụ hành chính công {short_name[5:]}"


def ensure_commune_agency(unit: AdministrativeUnit, prefix: str, code: str | None = None,
                          report: LoadReport | None = None, province_agency: Agency | None = None) -> Agency:
    """The People's Committee of a commune-level unit, with its one-stop counter and departments."""
    report = report or LoadReport()
    if province_agency is None:
        province_agency = Agency.objects.filter(kind=Agency.PROVINCIAL_COMMITTEE, admin_unit_id=unit.parent_id).first()
    name, short = commune_committee_name(unit)
    existing = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE, admin_unit=unit).order_by("id").first()
    if existing is None and code is None:
        # Two merger plans applied at once would both take the highest code + 1: the province's row is the
        # queue for new codes, held until this transaction commits the new agency.
        AdministrativeUnit.objects.select_for_update().filter(pk=unit.parent_id).exists()
        code = next_commune_agency_code(prefix)
    agency = _upsert_agency(report, code=existing.code if existing else code, current=existing,
                            defaults={"name": name, "short_name": short, "kind": Agency.COMMUNE_COMMITTEE,
                                      "admin_unit": unit, "parent": province_agency, "is_active": unit.is_active})
    _sync_children(agency, Department, commune_departments(unit.level))
    _sync_children(agency, Counter, [commune_counter(short)])
    return agency


@transaction.atomic
def load_agencies(province: str | int | None = None, prefix: str | None = None) -> LoadReport:
    """Create or update the province's agencies, counters and departments (units must be loaded)."""
    prefix = prefix or default_prefix()
    if not AGENCY_CODE.fullmatch(prefix):  # it becomes every agency's code: the admin's rule (units.models)
        raise ValidationFailed("agency_prefix_invalid", f"Tiền tố mã định danh \u201c{prefix}\u201d không hợp lệ. "
                                                        + AGENCY_CODE_MESSAGE)
    code = f"{int(province or province_code()):02d}"
    unit = AdministrativeUnit.objects.filter(code=code, level=AdministrativeUnit.PROVINCE).first()
    if unit is None:
        raise NotFound("province_not_loaded",
                       f"Chưa có đơn vị hành chính tỉnh mã {code}: chạy lệnh load_units trước.")
    bare = unit.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    report = LoadReport()
    committee = _upsert_agency(
        report, code=prefix, lookup={"kind": Agency.PROVINCIAL_COMMITTEE, "admin_unit": unit},
        defaults={"name": f"Ủy ban nhân dân tỉnh {bare}", "short_name": "UBND tỉnh",
                  "kind": Agency.PROVINCIAL_COMMITTEE, "admin_unit": unit, "parent": None})
    _sync_children(committee, Department, COMMITTEE_DEPARTMENTS)
    by_suffix = {}
    for suffix, name, short, kind, departments in PROVINCIAL_AGENCIES:
        parent = by_suffix.get(suffix.split(".")[0]) if "." in suffix else committee
        agency = _upsert_agency(report, code=f"{prefix}.{suffix}",
                                defaults={"name": name.format(p=bare), "short_name": short, "kind": kind,
                                          "admin_unit": unit, "parent": parent})
        by_suffix[suffix] = agency
        _sync_children(agency, Department, departments or DEPARTMENT_DEFAULT)
    center = by_suffix["01"]
    _sync_children(center, Counter, [
        ("Q01", "Quầy số 1 — Tư pháp, Nội vụ, Dân tộc và Tôn giáo"),
        ("Q02", "Quầy số 2 — Tài chính, Công Thương, Khoa học và Công nghệ"),
        ("Q03", "Quầy số 3 — Nông nghiệp và Môi trường, Xây dựng"),
        ("Q04", "Quầy số 4 — Y tế, Giáo dục và Đào tạo, Văn hóa, Thể thao và Du lịch"),
    ])
    communes = list(AdministrativeUnit.objects.filter(parent=unit, level__in=COMMUNE_LEVELS).order_by("code"))
    have = set(Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE, admin_unit__in=communes)
               .values_list("admin_unit_id", flat=True))
    used = {r for r in (_commune_rank(c, prefix) for c in
                        Agency.objects.filter(code__startswith=prefix + ".").values_list("code", flat=True)) if r}
    next_rank = max(used, default=0)
    for commune in communes:
        code = None
        if commune.pk not in have:
            next_rank += 1
            code = commune_agency_code(prefix, next_rank)
        ensure_commune_agency(commune, prefix, code=code, report=report, province_agency=committee)
    return report
