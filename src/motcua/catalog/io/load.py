"""Import a catalog: validate everything, then write it all in one transaction, or nothing."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from motcua.core.digits import whole_number
from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc

from ..models import (
    ComponentRequirement,
    Field,
    Procedure,
    ProcessStep,
)
from .format import FORMAT, VERSION, CatalogInvalid
from .read import read_catalog
from .validate import Validator


def write_catalog(fields, procs) -> dict:
    for f in fields:
        Field.objects.update_or_create(code=f["code"], defaults={"name": f["name"]})
    field_ids = dict(Field.objects.values_list("code", "id"))
    stats = {"created": 0, "updated": 0}
    errors = []
    for p in procs:
        data = {k: v for k, v in p.items() if k not in {"code", "field", "agencies", "components", "steps"}}
        data["field_id"] = field_ids[p["field"]]
        proc, created = Procedure.objects.update_or_create(code=p["code"], defaults=data)
        stats["created" if created else "updated"] += 1
        proc.agencies.set(p["agencies"])
        # Update in place by order: uploaded documents keep pointing at their component.
        components = {c.order: c for c in proc.components.all()}
        for c in p["components"]:
            comp = components.pop(c["order"], None) or ComponentRequirement(procedure=proc)
            for key, value in c.items():
                setattr(comp, key, value)
            comp.save()
        ComponentRequirement.objects.filter(pk__in=[c.pk for c in components.values()]).delete()
        existing = {s.order: s for s in proc.steps.all()}
        for s in p["steps"]:
            step = existing.pop(s["order"], None) or ProcessStep(procedure=proc, order=s["order"])
            for key, value in s.items():
                setattr(step, key, value)
            step.save()
        for step in existing.values():
            try:
                with transaction.atomic():
                    step.delete()
            except ProtectedError:
                errors.append(f"Thủ tục {p['code']}: không thể xóa bước {step.order} \"{step.name}\" vì đã có "
                              "hồ sơ đi qua bước này.")
    if errors:
        raise CatalogInvalid(errors)
    return stats


def import_catalog_data(data: dict) -> dict:
    """Validate then write `data` (the JSON shape); all or nothing. Returns counts. Its text is taken precomposed
    (NFC, core.text.nfc), whatever form the file was typed in."""
    data = nfc(data)
    fmt = data.get("format", FORMAT)
    version = whole_number(str(data.get("version", VERSION)))  # None: "2.0", "", a list… (no traceback)
    if fmt != FORMAT or version is None or version > VERSION:
        raise ValidationFailed("catalog_format", "Tệp không phải danh mục thủ tục của hệ thống hoặc phiên bản "
                                                 "mới hơn phiên bản được hỗ trợ.")
    validator = Validator(data)
    fields, procs = validator.validate()
    if validator.errors:
        raise CatalogInvalid(validator.errors)
    with transaction.atomic():
        stats = write_catalog(fields, procs)
    stats["fields"] = len(fields)
    return stats


def import_catalog(path) -> dict:
    """Import a .json or .xlsx catalog file; raises CatalogInvalid listing every error, writing nothing."""
    return import_catalog_data(read_catalog(path))
