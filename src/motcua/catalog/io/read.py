"""Read a catalog file (.json or .xlsx) into the JSON document shape, without checking it yet."""

from __future__ import annotations

import json
from pathlib import Path

from motcua.core.errors import ValidationFailed

from .format import FORMAT, SHEETS, VERSION, CatalogInvalid


def _header_map(columns):
    mapping = {}
    for key, label in columns:
        mapping[key.lower()] = key
        mapping[label.lower()] = key
    return mapping


UNREADABLE_XLSX = "Không đọc được tệp Excel: tệp bị hỏng hoặc không phải bảng tính .xlsx"


def _sheet_rows(wb, title) -> list[tuple]:
    """A sheet's rows; a sheet that is not a table (a chart) or whose XML is broken is refused by its name.
    openpyxl reads a sheet only when asked (read_only), and raises many kinds for a broken one."""
    try:
        return list(wb[title].iter_rows(values_only=True))
    except Exception as exc:
        raise ValidationFailed("catalog_unreadable", f"{UNREADABLE_XLSX} (trang tính \"{title}\" không đọc "
                                                     "được).") from exc


def read_xlsx(path) -> dict:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationFailed("catalog_unreadable", f"{UNREADABLE_XLSX}.") from exc
    sheets = {}
    errors = []
    for title, columns in SHEETS:
        if title not in wb.sheetnames:
            errors.append(f"Thiếu trang tính \"{title}\".")
            continue
        rows = _sheet_rows(wb, title)
        if not rows:
            sheets[title] = []
            continue
        mapping = _header_map(columns)
        keys = [mapping.get(str(h).strip().lower()) if h is not None else None for h in rows[0]]
        out = []
        for n, values in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            row = {k: v for k, v in zip(keys, values, strict=False) if k}
            row["_where"] = f"Trang \"{title}\", dòng {n}"
            out.append(row)
        sheets[title] = out
    wb.close()
    if errors:
        raise CatalogInvalid(errors)
    procs = []
    by_code = {}
    for row in sheets["Thủ tục"]:
        row = dict(row)
        schema = row.get("form_schema")
        if isinstance(schema, str) and schema.strip():
            try:
                row["form_schema"] = json.loads(schema)
            except json.JSONDecodeError:
                row["form_schema"] = BadJSON(schema)
        else:
            row["form_schema"] = []
        agencies = row.get("agencies")
        row["agencies"] = [a.strip() for a in str(agencies).split(",") if a.strip()] if agencies else []
        row["components"], row["steps"] = [], []
        procs.append(row)
        by_code.setdefault(str(row.get("code") or "").strip(), row)
    for sheet, key in (("Thành phần hồ sơ", "components"), ("Quy trình", "steps")):
        for row in sheets[sheet]:
            owner = by_code.get(str(row.get("procedure") or "").strip())
            if owner is None:
                errors.append(f"{row['_where']}: không có thủ tục mã \"{row.get('procedure') or ''}\" "
                              "trong trang \"Thủ tục\".")
                continue
            owner[key].append(row)
    if errors:
        raise CatalogInvalid(errors)
    return {"format": FORMAT, "version": VERSION, "fields": sheets["Lĩnh vực"], "procedures": procs}


class BadJSON(str):
    pass


def read_json(path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))  # a BOM (Windows Notepad) is no error
    except json.JSONDecodeError as exc:
        raise ValidationFailed("catalog_unreadable", f"Không đọc được tệp JSON: sai cú pháp JSON ở dòng {exc.lineno}, "
                                                     f"cột {exc.colno}.") from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed("catalog_unreadable", "Không đọc được tệp JSON: tệp không phải văn bản UTF-8 (lưu lại "
                                                     "tệp với bảng mã UTF-8).") from exc
    except OSError as exc:
        raise ValidationFailed("catalog_unreadable", "Không đọc được tệp JSON: không mở được tệp.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationFailed("catalog_unreadable", "Tệp JSON không đúng cấu trúc danh mục thủ tục "
                                                     "(cần khóa \"procedures\" là một danh sách).")
    return data


def read_catalog(path) -> dict:
    path = Path(path)
    if not path.exists():
        raise ValidationFailed("catalog_missing", f"Không tìm thấy tệp {path}.", status=404)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise ValidationFailed("catalog_format", f"Định dạng tệp {suffix or '(không có)'} không hỗ trợ: dùng .json "
                                             "hoặc .xlsx.")
