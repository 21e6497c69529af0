"""The demo's cases for every Decision 766 sub-indicator, made through the real paths while demo dossiers are
generated (demo/data.py): applicants signed in with VNeID or looked up in the population database, fees paid
online, paper components and results scanned and confirmed at the counter, documents reused from and results filed
into the citizen's repository, certified copies, satisfaction ratings and feedback (answered on time, late, disliked,
asked for more information, raised again).

A separate random stream (seed + 766) keeps the rest of the demo as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cached_property

from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core import calendar
from motcua.core.errors import DomainError
from motcua.documents.attachments import store_upload
from motcua.documents.digitization_flags import components_with_files, confirm_digitization
from motcua.documents.models import AttachmentKind, DigitizationKind, JobStatus, VaultItem, VaultItemKind
from motcua.documents.results import issue_signed_result
from motcua.documents.scans import digitize_scans
from motcua.documents.vault import add_to_vault, reuse_in_dossier
from motcua.dossiers import lifecycle as lc
from motcua.engagement import feedback, ratings
from motcua.papers.decree30 import Decree30Document

from .synthetic import document_scan


def date_catalog(today: dt.date) -> int:
    """Move the sample catalog's announcement and publication dates by whole weeks (weekdays kept) so the latest
    announcement falls in the weeks before ``today``: the demo's year always has announcements to measure (1.1, 1.2).
    Returns the number of days moved."""
    sample = list(Procedure.objects.filter(is_sample=True, announced_on__isnull=False))
    if not sample:
        return 0
    latest = max(p.announced_on for p in sample)
    weeks = (today - latest).days // 7 - 1
    shift = dt.timedelta(weeks=weeks)
    for p in sample:
        for name in ("announced_on", "legal_effective_on", "national_published_on"):
            if getattr(p, name):
                setattr(p, name, getattr(p, name) + shift)
    Procedure.objects.bulk_update(sample, ["announced_on", "legal_effective_on", "national_published_on"])
    return shift.days


CHECK_MINUTES = dt.timedelta(minutes=5)  # from a scan to the officer's confirmation of its fields
CERTIFIED_COPY_EVERY = 9  # every 9th demo dossier is a certified copy (Decision 766 4.6)


class Cases:
    def __init__(self, seed: int, citizen):
        self.rng = random.Random(seed + 766)
        self.citizen = citizen
        self.vault_item = None

    # ---- which procedure ----------------------------------------------------------------------------------
    @cached_property
    def copy_procedures(self) -> list[Procedure]:
        return list(Procedure.objects.filter(is_active=True, certified_copy=True).prefetch_related("agencies"))

    def procedure_for(self, n: int, chosen: Procedure) -> Procedure:
        if n % CERTIFIED_COPY_EVERY == 0 and self.copy_procedures:
            return self.copy_procedures[n // CERTIFIED_COPY_EVERY % len(self.copy_procedures)]
        return chosen

    # ---- who vouches for the applicant (4.5) --------------------------------------------------------------
    def online_applicant(self, applicant: dict) -> dict:
        """Half the online applicants signed in with VNeID (what integrations.eid marks in the session)."""
        return {**applicant, "vneid_verified": self.rng.random() < 0.5}

    def counter_applicant(self, applicant: dict) -> dict:
        """The counter looked 40 % of walk-in applicants up in the National Population Database."""
        return {**applicant, "population_checked": self.rng.random() < 0.4}

    # ---- the citizen's repository (4.3, 4.4) ---------------------------------------------------------------
    @cached_property
    def pdf(self) -> bytes:
        doc = Decree30Document(agency="ỦY BAN NHÂN DÂN", title="GIẤY TỜ MẪU",
                               summary="Bản điện tử dùng cho dữ liệu trình diễn")
        return doc.paragraph("Tài liệu mẫu của hệ thống Một Cửa Số, không có giá trị pháp lý.").to_pdf()

    def reuse(self, dossier, account, at) -> None:
        """The demo citizen's own online dossiers reuse the birth certificate kept in their repository."""
        if account.pk != self.citizen.pk or self.rng.random() < 0.3:
            return
        if self.vault_item is None:
            att = store_upload(self.pdf, owner=self.citizen, name="giay-khai-sinh.pdf")
            self.vault_item = add_to_vault(att, id_number=self.citizen.id_number, kind=VaultItemKind.RESULT,
                                           title="Giấy khai sinh", at=at)
        reuse_in_dossier(self.vault_item, dossier, actor=account, at=at)

    def upload_components(self, dossier, account) -> None:
        """Online applicants upload a file for each component (one in ten forgets a required one, half skip an
        optional one): those with every required file count as digitized at receipt (4.2)."""
        have = components_with_files(dossier)  # reused from the repository
        for component in dossier.procedure.components.all():
            if component.pk in have or self.rng.random() < (0.1 if component.is_required else 0.5):
                continue
            store_upload(self.pdf, owner=account, dossier=dossier, component=component, uploaded_by=account,
                         name=f"thanh-phan-{component.order or component.pk}.pdf")

    # ---- digitization at the counter (4.2) ------------------------------------------------------------------
    def scan_components(self, dossier, officer, at) -> None:
        """The counter officer scans the paper components of a walk-in dossier, one required component after the
        other (the first component when none is required), as on the dossier page: the scans are checked and stored
        and their OCR run (documents.scans.digitize_scans), and the officer confirms the fields at ``at``; the last
        confirmation records the dossier as digitized at receipt (documents.digitization_flags)."""
        components = list(dossier.procedure.components.all())
        for component in [c for c in components if c.is_required] or components[:1]:
            self._scan(dossier, officer, at, DigitizationKind.RECEIPT, component, component.name)

    def scan_result(self, dossier, officer, at) -> None:
        """The signed paper result is scanned before it is handed over, and its scan confirmed: the result is then
        digitized (documents.digitization_flags.mark_digitized)."""
        self._scan(dossier, officer, at, DigitizationKind.RESULT, None,
                   dossier.procedure.result_name or "Kết quả giải quyết thủ tục hành chính")

    def _scan(self, dossier, officer, at, kind, component, title) -> None:
        """Scanned CHECK_MINUTES before ``at``, when the officer confirms: the scan, the job and the digitized copy
        carry the moments of the dossier's history. The OCR runs here, the task's body (``run_now``): no worker
        runs while the demo is set up, and no task is left queued behind it."""
        who = {"name": dossier.applicant_name, "id_number": dossier.applicant_id_number}
        scan = ContentFile(document_scan(title, who), name=f"ban-quet-{component.pk if component else 'ket-qua'}.png")
        job = digitize_scans([scan], dossier=dossier, actor=officer, kind=kind, component=component,
                             at=at - CHECK_MINUTES, run_now=True)
        if job.status != JobStatus.DONE:  # a scan that cannot be read (never the demo's own): the paper stays paper
            return
        job.dossier = dossier  # the caller's instance, so the flag the confirmation records shows on it
        confirm_digitization(job, officer=officer, fields={"full_name": who["name"], "id_number": who["id_number"]},
                             at=at)

    def sign_result_file(self, dossier, officer, at) -> None:
        """The electronic result, signed with the agency's certificate and filed in the applicant's repository
        (documents.results, as the back office's "Ký số"): what makes it electronic (4.1)."""
        issue_signed_result(dossier, self.pdf, officer=officer, at=at)

    def file_result(self, dossier, officer, at) -> None:
        """Half the returned paper results are filed in the applicant's repository (and, where connected,
        nationally); an electronic one was filed when it was signed, a scanned one when its scan was confirmed."""
        if (not dossier.applicant_id_number or self.rng.random() < 0.5
                or dossier.attachments.filter(kind=AttachmentKind.RESULT).exists()
                or VaultItem.objects.filter(source_dossier=dossier, kind=VaultItemKind.RESULT).exists()):
            return
        att = store_upload(self.pdf, owner=dossier.applicant, dossier=dossier, kind=AttachmentKind.RESULT,
                           uploaded_by=officer, name=f"{dossier.code}-ket-qua.pdf")
        add_to_vault(att, id_number=dossier.applicant_id_number, kind=VaultItemKind.RESULT,
                     title=dossier.procedure.result_name or "Kết quả giải quyết", source_dossier=dossier, actor=officer,
                     at=at)

    # ---- fees (3.5b, 3.6) ----------------------------------------------------------------------------------
    def pay(self, dossier, at) -> None:
        """60 % of the online dossiers with a fee are paid through the payment gateway (its confirmation)."""
        if dossier.fee_vnd and self.rng.random() < 0.6:
            lc.record_online_payment(dossier, amount_vnd=dossier.fee_vnd, reference=f"DEMO-{dossier.pk}", at=at)

    # ---- satisfaction (5.1–5.4) ----------------------------------------------------------------------------
    def rate(self, dossier, account, at) -> None:
        if dossier.applicant_id == account.pk and self.rng.random() < 0.6:
            ratings.submit_rating(account, dossier, self.rng.random() < 0.85, at=at)

    def feedback(self, agency, handler, publisher, log=None) -> int:
        """Six feedback items of the last weeks: answered on time by ``handler`` (one published by ``publisher``, a
        manager: counter officers answer but do not publish; one disliked, one raised again), asked for more
        information, still within its deadline, and one left past its deadline."""
        now = timezone.now()

        def ago(days: int) -> dt.datetime:
            day = (now - dt.timedelta(days=days)).astimezone(calendar.TZ).date()
            while not calendar.is_working_day(day):
                day -= dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(9, 0), calendar.TZ)

        made = 0
        base = {"agency": agency, "content": "Đề nghị cơ quan xem xét, hướng dẫn rõ hơn về thủ tục này.",
                "phone": self.citizen.phone or "0905123456"}
        try:
            a = feedback.submit_feedback(self.citizen, classification="regulation", title="Thời hạn cấp giấy khai sinh",
                                         at=ago(40), **base)
            a = feedback.answer_feedback(handler, a, "Cơ quan đã rút ngắn thời hạn theo quy định.", at=ago(38))
            a = feedback.publish_feedback(publisher, a, at=ago(38) + dt.timedelta(hours=1))
            feedback.rate_feedback_answer(self.citizen, a, True, at=ago(37))
            b = feedback.submit_feedback(self.citizen, classification="regulation", title="Lệ phí đăng ký hộ kinh doanh",
                                         at=ago(35), **base)
            b = feedback.answer_feedback(handler, b, "Lệ phí thu theo nghị quyết của Hội đồng nhân dân tỉnh.",
                                         at=ago(33))
            feedback.rate_feedback_answer(self.citizen, b, False, at=ago(32))
            feedback.submit_feedback(self.citizen, classification="regulation", title="Phản ánh lại: lệ phí hộ kinh doanh",
                                     reraises=b, at=ago(30), **base)
            c = feedback.submit_feedback(self.citizen, classification="conduct", title="Thái độ tiếp dân tại quầy",
                                         at=ago(28), **base)
            feedback.request_information(handler, c, "Đề nghị cho biết ngày, giờ và quầy tiếp nhận.", at=ago(27))
            feedback.submit_feedback(self.citizen, classification="conduct", title="Hướng dẫn chưa đầy đủ",
                                     at=ago(45), **base)  # never handled: late
            feedback.submit_feedback(self.citizen, classification="regulation", title="Giờ làm việc ngày thứ Bảy",
                                     at=ago(2), **base)
            made = 6
        except DomainError as exc:
            if log:
                log(f"  bỏ qua phản ánh mẫu: {exc.message}")
        return made
