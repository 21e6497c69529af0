import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.units.models import AdministrativeUnit, Agency, ReorganizationPlan
from motcua.units.reorganization import apply, approve, parse_assignments, preview, save_draft

USAGE = """Hai cách dùng:
  reorganize_units --plan SỐ --dry-run | --apply [--by TÊN_ĐĂNG_NHẬP]
      xem trước / thực hiện một phương án đã lập (trên trang Cán bộ → Sắp xếp đơn vị);
  reorganize_units MÃ_CŨ... --code MÃ_MỚI --name "Xã …" --resolution "SỐ/NQ-…" --dry-run | --apply --by TÊN
      lập, phê duyệt và thực hiện một phương án trong một lệnh (dùng cho kịch bản)."""


class _DryRun(Exception):
    pass


def _date(value, label):
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date() if value else None
    except ValueError as exc:
        raise CommandError(f"{label} phải có dạng dd/mm/yyyy.") from exc


class Command(BaseCommand):
    help = ("Sắp xếp đơn vị hành chính cấp xã theo nghị quyết: xem trước (--dry-run) hoặc thực hiện (--apply) — "
            "hồ sơ đang giải quyết, phân quyền cán bộ, thủ tục chuyển sang đơn vị mới; đơn vị cũ ngừng hoạt động. "
            + USAGE)

    def add_arguments(self, parser):
        parser.add_argument("old_codes", nargs="*", metavar="MÃ_CŨ", help="mã các đơn vị được sắp xếp (khi không dùng --plan)")
        parser.add_argument("--plan", type=int, help="số của phương án đã lập")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không thay đổi gì")
        mode.add_argument("--apply", action="store_true", help="thực hiện (chạy lại để hoàn tất nếu bị ngắt)")
        parser.add_argument("--by", help="tên đăng nhập của quản trị cấp tỉnh thực hiện")
        parser.add_argument("--code", help="mã đơn vị mới")
        parser.add_argument("--name", help="tên đơn vị mới, ví dụ \"Xã Hòa Bình\"")
        parser.add_argument("--level", default="commune", choices=["commune", "ward", "special_zone"])
        parser.add_argument("--from", dest="valid_from", help="ngày có hiệu lực dd/mm/yyyy (mặc định hôm nay)")
        parser.add_argument("--resolution", help="số nghị quyết, ví dụ \"1677/NQ-UBTVQH15\"")
        parser.add_argument("--resolution-date", help="ngày ban hành nghị quyết dd/mm/yyyy (mặc định ngày hiệu lực)")
        parser.add_argument("--assign", action="append", default=[],
                            help="\"MÃ_THỦ_TỤC=MÃ_CƠ_QUAN\": cơ quan khác nhận thủ tục (lặp lại được)")
        parser.add_argument("--end-roles", default="", help="số các phân quyền kết thúc thay vì chuyển, cách nhau dấu phẩy")

    def handle(self, *args, **o):
        if not (o["dry_run"] or o["apply"]):
            raise CommandError("Chọn --dry-run (xem trước) hoặc --apply (thực hiện).\n" + USAGE)
        actor = self._actor(o["by"])
        try:
            if o["plan"] is not None:
                if o["old_codes"]:
                    raise CommandError("Dùng --plan hoặc danh sách mã đơn vị, không dùng cả hai.")
                plan = ReorganizationPlan.objects.filter(pk=o["plan"]).first()
                if plan is None:
                    raise CommandError(f"Không có phương án số {o['plan']}.")
                if o["dry_run"]:
                    self._print_preview(plan)
                    return
                self._apply(plan, actor or plan.approved_by)
                return
            if o["apply"] and actor is None:
                raise CommandError("Cần --by TÊN_ĐĂNG_NHẬP của quản trị cấp tỉnh để thực hiện.")
            self._one_command(o, actor)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _actor(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        return user

    def _one_command(self, o, actor):
        units = list(AdministrativeUnit.objects.filter(code__in=o["old_codes"]))
        missing = sorted(set(o["old_codes"]) - {u.code for u in units})
        if not o["old_codes"]:
            raise CommandError("Cần --plan SỐ hoặc mã các đơn vị được sắp xếp.\n" + USAGE)
        if missing:
            raise CommandError(f"Không tìm thấy đơn vị mã: {', '.join(missing)}.")
        for key, label in (("code", "--code"), ("name", "--name"), ("resolution", "--resolution")):
            if not o[key]:
                raise CommandError(f"Cần {label}.")
        effective = _date(o["valid_from"], "Ngày hiệu lực") or dt.date.today()
        fields = dict(resolution_number=o["resolution"], effective_date=effective,
                      resolution_date=_date(o["resolution_date"], "Ngày nghị quyết") or effective, old_units=units,
                      new_code=o["code"], new_name=o["name"], new_level=o["level"],
                      assignments=parse_assignments("\n".join(o["assign"])),
                      ended_roles=self._ids(o["end_roles"]))
        if o["apply"]:
            plan = save_draft(actor, **fields)
            approve(plan, actor)
            self.stdout.write(f"Đã lập và phê duyệt phương án số {plan.pk}.")
            self._apply(plan, actor)
            return
        try:  # a draft that lives only for the preview
            with transaction.atomic():
                plan = ReorganizationPlan.objects.create(
                    **{k: v for k, v in fields.items() if k not in ("old_units", "assignments")})
                plan.old_units.set(units)
                for proc, agency_code in fields["assignments"].items():
                    agency = Agency.objects.filter(code=agency_code).first()
                    if agency is None:
                        raise CommandError(f"Không có cơ quan mã: {agency_code}.")
                    plan.procedure_assignments.create(procedure_code=proc, agency=agency)
                self._print_preview(plan)
                raise _DryRun
        except _DryRun:
            pass

    def _ids(self, text):
        try:
            return [int(p) for p in text.replace(" ", "").split(",") if p]
        except ValueError as exc:
            raise CommandError("--end-roles là các số phân quyền cách nhau dấu phẩy, ví dụ 12,15.") from exc

    def _apply(self, plan, actor):
        counts = apply(plan, actor)
        plan.refresh_from_db()
        self.stdout.write(f"Đã thực hiện phương án số {plan.pk} ({plan.resolution_number}): {plan.new_unit.name} "
                          f"(mã {plan.new_unit.code}); cơ quan mới: {plan.new_agency.name} — mã định danh "
                          f"{plan.new_agency.code}.")
        for step, outcomes in counts.items():
            self.stdout.write(f"  {step}: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))

    def _print_preview(self, plan):
        result = preview(plan)
        w = self.stdout.write
        w(f"XEM TRƯỚC phương án {plan.resolution_number or ''}: {plan.new_name} (mã {plan.new_code}) — "
          f"trạng thái: {plan.get_status_display()}")
        for problem in result.problems:
            w(f"! {problem}")
        for name, section in result.sections:
            w(f"\n== {section.title} [{name}]")
            for label, n in section.count_lines():
                w(f"   {n} {label}")
            for label, value in section.facts:
                w(f"   {label}: {value}")
            if section.rows:
                w("   " + " | ".join(section.headers))
                for row in section.rows:
                    w("   " + " | ".join(row))
            for note in section.notes:
                w(f"   * {note}")
