"""Who digitizes what, and when (the counter screen and the API ask these rules), and whose repository a digitized
paper may join."""

from __future__ import annotations

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role
from motcua.dossiers.models import Channel, Status

from .models import DigitizationKind


def receipt_digitization_applies(dossier) -> bool:
    """Whether a dossier's components are digitized at receipt: not one submitted online, already electronic.
    # Circular 03/2025/TT-VPCP art. 5(a)"""
    return dossier is None or dossier.channel != Channel.ONLINE


# Who digitizes what, and when: the counter screen and the API ask this one rule.
RESULT_STATUSES = (Status.APPROVED, Status.READY_FOR_RETURN, Status.RETURNED)
RESULT_ROLES = (Role.COUNTER_OFFICER, Role.LEADER, Role.SPECIALIST, Role.DEPARTMENT_HEAD)


# Outside any dossier (a backlog of old results and papers): the counter officer, who digitizes; the copy joins the
# repository of the number confirmed (named_in_dossier), so no other role starts or confirms one.
BACKLOG_REFUSED = ("Chỉ công chức Bộ phận Một cửa được số hóa giấy tờ ngoài hồ sơ (kết quả, giấy tờ cũ): bản số hóa "
                   "được lưu vào kho dữ liệu của người có số định danh được xác nhận.")


def may_digitize(user, dossier, kind: str) -> bool:
    """Components: a counter officer of the receiving agency, once submitted. The result: its agency's officers,
    once decided. Outside any dossier (``dossier`` None): a counter officer (of any agency: the job has none).
    # Circular 03/2025/TT-VPCP: the one-stop section (Bộ phận Một cửa) receives and digitizes (LEGAL.md §1.1)"""
    if dossier is None:
        return has_role(user, Role.COUNTER_OFFICER)
    if kind == DigitizationKind.RECEIPT:
        return (dossier.status != Status.DRAFT and receipt_digitization_applies(dossier)
                and has_role(user, Role.COUNTER_OFFICER, dossier.agency))
    return dossier.status in RESULT_STATUSES and has_role(user, RESULT_ROLES, dossier.current_agency or dossier.agency)


def named_in_dossier(dossier, id_number: str) -> bool:
    """Whether a digitized paper may go into the repository of the person with `id_number`: the dossier's applicant,
    or someone the dossier names (a child on a birth registration, say) — not whoever's number was typed at the
    confirmation. A paper digitized outside any dossier (a backlog of old results) goes to the number confirmed (by a
    counter officer only: may_digitize).
    Decree 45/2020/ND-CP art. 9: a person's repository holds their own papers."""
    if dossier is None:
        return True
    if dossier.applicant_id_number == id_number:
        return True
    return any(id_number == "".join(ch for ch in str(value) if ch.isdigit())
               for value in (dossier.form_data or {}).values() if isinstance(value, (str, int)))

