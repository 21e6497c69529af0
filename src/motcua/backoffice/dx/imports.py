"""Import a plan from .xlsx: upload → preview (every row, or every error) → confirm; nothing stored before."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.transformation import permissions
from motcua.transformation.models import Plan
from motcua.transformation.money import format_million
from motcua.transformation.xlsx.importer import import_plan
from motcua.transformation.xlsx.reader import MAX_BYTES
from motcua.web.forms import WholeNumberField
from motcua.web.pages import actor

from ..views.common import officer_required
from .common import error_status, page
from .forms import unit_picker

SESSION = "dx_import"


class ImportForm(forms.Form):
    agency = forms.ModelChoiceField(label="Đơn vị", queryset=None, error_messages={"required": "Chọn đơn vị."})
    year = WholeNumberField(label="Năm", min_value=2000, max_value=2100, error_messages={"required": "Nhập năm."})
    kind = forms.ChoiceField(label="Loại", choices=Plan.KINDS, initial=Plan.PLAN)
    first_year = WholeNumberField(label="Từ năm (báo cáo nhiều năm)", required=False, min_value=2000, max_value=2100)
    replace = forms.BooleanField(label="Thay thế toàn bộ nhiệm vụ nếu kế hoạch đã có", required=False)
    file = forms.FileField(label="Tệp .xlsx (STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Diễn giải, Kinh phí, Nguồn vốn, "
                                 "Thời gian thực hiện)", error_messages={"required": "Chọn tệp .xlsx."})

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.fields["agency"], agencies)


def _options(c: dict) -> dict:
    return {"agency": c["agency"], "year": c["year"], "kind": c["kind"], "first_year": c["first_year"],
            "replace": c["replace"]}


@officer_required
def import_page(request):
    agencies = permissions.plan_agencies(request.user).order_by("code")
    if not agencies.exists():
        return page(request, "backoffice/forbidden.html", {}, status=403)
    if request.method == "POST" and request.POST.get("buoc") == "xac-nhan":
        return _confirm(request, agencies)
    initial = {"year": timezone.localdate().year, **({"agency": agencies[0]} if len(agencies) == 1 else {})}
    form = ImportForm(request.POST or None, request.FILES or None, agencies=agencies, initial=initial)
    ctx, status = {"form": form}, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            upload = c["file"]
            data = upload.read(MAX_BYTES + 1)
            try:
                result = import_plan(actor(request), data, dry_run=True, **_options(c))
            except DomainError as err:
                ctx.update(error=err, errors=err.details.get("errors", []))
                status = error_status(err)
            else:
                token = uuid.uuid4().hex
                previous = (request.session.get(SESSION) or {}).get("name")
                if previous:  # one pending preview per session
                    default_storage.delete(previous)
                name = default_storage.save(f"dx-imports/{token}.xlsx", ContentFile(data))
                request.session[SESSION] = {"token": token, "name": name, "agency": c["agency"].pk, "year": c["year"],
                                            "kind": c["kind"], "first_year": c["first_year"], "replace": c["replace"]}
                ctx.update(preview=result, token=token, total=format_million(result.parsed.planned_vnd), options=c)
                status = 200
    return page(request, "backoffice/dx/import.html", ctx, status=status)


def _confirm(request, agencies):
    pending = request.session.get(SESSION) or {}
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, "Phiên xem trước đã hết; vui lòng chọn lại tệp.")
        return redirect("backoffice:dx_import")
    agency = agencies.filter(pk=pending["agency"]).first()
    try:
        with default_storage.open(pending["name"], "rb") as fh:
            data = fh.read()
        result = import_plan(actor(request), data, agency=agency, year=pending["year"], kind=pending["kind"],
                             first_year=pending["first_year"], replace=pending["replace"])
    except (DomainError, OSError) as err:
        messages.error(request, getattr(err, "message", "Không đọc lại được tệp; vui lòng chọn lại tệp."))
        return redirect("backoffice:dx_import")
    finally:
        request.session.pop(SESSION, None)
        default_storage.delete(pending["name"])
    messages.success(request, f"Đã nhập {result.tasks} nhiệm vụ, tổng kinh phí "
                              f"{format_million(result.parsed.planned_vnd)} triệu đồng. {result.notes}".strip())
    return redirect("backoffice:dx_plan", pk=result.plan.pk)
