"""One commune in March 2026 with a case for every Decision 766 sub-indicator, built only through the real
paths: the lifecycle, the citizen repository, feedback services, the outbox dispatcher against the national
portal and personal-storage simulators, and the statistics consumer. Figures expected from it are worked out
by hand in test_decision766.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from motcua.catalog.models import OnlineLevel, Target
from motcua.demo.simulators import PersonalStorageSimulator, PortalSimulator
from motcua.documents.attachments import store_upload
from motcua.documents.models import VaultItemKind
from motcua.documents.vault import add_to_vault, reuse_in_dossier
from motcua.dossiers import lifecycle
from motcua.engagement import feedback, ratings
from motcua.integrations import dispatcher
from motcua.reporting import consumer
from tests.dossiers.factories import APPLICANT, at, make_world
from tests.factories import procedure_with_steps
from tests.web.conftest import pdf_bytes

SECRET = "bi-mat-766"
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@dataclass
class World766:
    w: object
    p1: object
    p2: object
    p3: object
    d: dict = field(default_factory=dict)
    fb: dict = field(default_factory=dict)


def resolve(w, d, start, hours, *, electronic=True, digitized=True):
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=start + dt.timedelta(hours=1))
    d = lifecycle.complete_step(d, officer=w.specialist, at=start + dt.timedelta(hours=hours))
    d = lifecycle.approve(d, officer=w.leader, at=start + dt.timedelta(hours=hours + 1))
    return lifecycle.sign_result(d, officer=w.leader, electronic=electronic, digitized=digitized,
                                 at=start + dt.timedelta(hours=hours + 2))


def _catalog(w):
    p1 = w.procedure  # full online, free, for citizens
    p1.description = "Bước 1: nộp hồ sơ; bước 2: nhận kết quả."
    p1.name = "Đăng ký khai sinh"
    p1.announcing_decision, p1.announced_on = "120/QĐ-UBND", dt.date(2026, 3, 2)
    p1.legal_effective_on, p1.national_published_on = dt.date(2026, 3, 16), dt.date(2026, 3, 4)
    p1.save()
    p2 = procedure_with_steps(name="Đăng ký hộ kinh doanh", online_level=OnlineLevel.PARTIAL, fee_vnd=20000,
                              online_payment=True, target=Target.BUSINESS, description="Nộp, thẩm định, cấp giấy.",
                              announcing_decision="121/QĐ-UBND", announced_on=dt.date(2026, 3, 10),
                              legal_effective_on=dt.date(2026, 3, 12))  # announced late, never published
    p3 = procedure_with_steps(name="Chứng thực bản sao từ bản chính", online_level=OnlineLevel.NONE, fee_vnd=2000,
                              certified_copy=True, target=Target.CITIZEN, announced_on=dt.date(2025, 12, 1),
                              legal_effective_on=dt.date(2026, 1, 1))  # no description: incomplete
    return p1, p2, p3


def _dossiers(w, p1, p2, p3):
    d = {}
    # d1: online, VNeID, a birth certificate reused from the repository; early, electronic, digitized; rated unhappy
    att = store_upload(pdf_bytes(), owner=w.citizen, name="giay-chung-sinh.pdf")
    item = add_to_vault(att, id_number=APPLICANT["id_number"], kind=VaultItemKind.COMPONENT, title="Giấy chứng sinh")
    d1 = w.submit(when=at(2026, 3, 2, 8), applicant_data={**APPLICANT, "vneid_verified": True})
    reuse_in_dossier(item, d1, at=at(2026, 3, 2, 8, 30))
    d1 = lifecycle.receive(d1, officer=w.counter, digitized=True, at=at(2026, 3, 2, 9))
    d1 = resolve(w, d1, at(2026, 3, 2, 9), 2)
    d1 = lifecycle.return_result(d1, officer=w.counter, at=at(2026, 3, 2, 14))
    ratings.submit_rating(w.citizen, d1, False, at=at(2026, 3, 3, 8))
    d["d1"] = d1
    # d2: business licence at the counter, paid online, decided a week late, paper result
    d2 = w.walk_in(when=at(2026, 3, 9, 8), procedure=p2, form_data={})
    lifecycle.record_online_payment(d2, amount_vnd=20000, reference="GD-0001", at=at(2026, 3, 9, 9))
    d["d2"] = resolve(w, d2, at(2026, 3, 9, 9), 24 * 7, electronic=False, digitized=False)
    # d3: business licence online, still open and past its appointment on 31/03
    d3 = w.submit(when=at(2026, 3, 16, 8), procedure=p2, form_data={})
    d["d3"] = lifecycle.receive(d3, officer=w.counter, at=at(2026, 3, 16, 9))
    # d4, d5: certified copies at the counter; d4's applicant looked up in the population database, electronic copy
    d4 = w.walk_in(when=at(2026, 3, 3, 8), procedure=p3, form_data={},
                   applicant_data={**APPLICANT, "population_checked": True})
    d["d4"] = resolve(w, d4, at(2026, 3, 3, 8), 3, electronic=True, digitized=False)
    d5 = w.walk_in(when=at(2026, 3, 4, 8), procedure=p3, form_data={})
    d["d5"] = resolve(w, d5, at(2026, 3, 4, 8), 3, electronic=False, digitized=False)
    # d6: birth registration at the counter, digitized, its result filed in the applicant's repository
    d6 = w.walk_in(when=at(2026, 3, 5, 8), digitized=True)
    d6 = resolve(w, d6, at(2026, 3, 5, 8), 3)
    result = store_upload(pdf_bytes(), owner=None, dossier=d6, kind="result", name="ket-qua.pdf")
    add_to_vault(result, id_number=APPLICANT["id_number"], kind=VaultItemKind.RESULT, title="Giấy khai sinh",
                 source_dossier=d6, at=at(2026, 3, 5, 14))
    d6.refresh_from_db()
    d["d6"] = d6
    return d


def _feedback(w):
    fb = {}
    common = {"classification": "regulation", "content": "Đề nghị hướng dẫn rõ hơn về thủ tục.", "agency": w.agency}
    f1 = feedback.submit_feedback(w.citizen, title="Thời hạn khai sinh", at=at(2026, 3, 2, 8), **common)
    fb["f1"] = feedback.answer_feedback(w.counter, f1, "Đã rút ngắn thời hạn theo quy định.", at=at(2026, 3, 3, 8))
    feedback.rate_feedback_answer(w.citizen, f1, False, at=at(2026, 3, 4, 8))
    f2 = feedback.submit_feedback(w.citizen, title="Lệ phí hộ kinh doanh", at=at(2026, 3, 2, 9), **common)
    fb["f2"] = feedback.answer_feedback(w.counter, f2, "Lệ phí theo nghị quyết của tỉnh.", at=at(2026, 3, 3, 9))
    fb["f3"] = feedback.submit_feedback(w.citizen, title="Phản ánh lại lệ phí", reraises=fb["f2"], at=at(2026, 3, 16, 8),
                                        **common)
    fb["f4"] = feedback.submit_feedback(w.citizen, **{**common, "classification": "conduct"},
                                        title="Thái độ cán bộ", at=at(2026, 3, 2, 10))
    return fb


def build(settings) -> World766:
    """The world, delivered to the simulators and consumed into the statistics."""
    w = make_world(processing_days="3")
    p1, p2, p3 = _catalog(w)
    world = World766(w, p1, p2, p3)
    world.d = _dossiers(w, p1, p2, p3)
    world.fb = _feedback(w)
    portal = PortalSimulator(secret=SECRET, unknown_procedures={p2.code}).start()
    storage = PersonalStorageSimulator(secret=SECRET).start()
    try:
        settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"url": portal.url, "secret": SECRET},
                                        "dvcqg_storage": {"url": storage.url, "secret": SECRET}}
        settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0}
        for _ in range(100):
            if dispatcher.run_batch().idle:  # what stays pending waits behind a refused event of its dossier
                break
    finally:
        portal.stop()
        storage.stop()
    consumer.consume()
    return world
