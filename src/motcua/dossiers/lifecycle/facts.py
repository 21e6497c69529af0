"""Facts recorded without a status change, through the same commit path (event, audit entry, outbox):
the online payment, late digitization, and links with the citizen data repository."""

from __future__ import annotations

from motcua.core.errors import InvalidTransition, ValidationFailed

from ..models import Dossier, Status
from .commit import commit, now, run_locked


def record_online_payment(dossier, *, amount_vnd: int, reference: str, at=None) -> Dossier:
    """The payment gateway confirmed the fee: the dossier is marked paid online (Decision 766 metric 3.6).

    Idempotent: a second confirmation of an already-paid dossier writes nothing.
    """
    at = now(at)

    def body(d):
        if d.fee_paid_online:
            return d
        if int(amount_vnd) < 0:
            raise ValidationFailed("amount_invalid", "Số tiền thanh toán không hợp lệ.")
        d.fee_paid_online = True
        return commit(d, action="record_payment", from_status=d.status, actor=None, at=at,
                      data={"amount_vnd": int(amount_vnd), "reference": str(reference)})

    return run_locked(dossier, body)


def _set_flag(dossier, field: str, *, action: str, by, at, check=None) -> Dossier:
    """Set one boolean fact of the dossier once (a flag already set writes nothing), after ``check(d)``."""

    def body(d):
        if getattr(d, field):
            return d
        if check is not None:
            check(d)
        setattr(d, field, True)
        return commit(d, action=action, from_status=d.status, actor=by, at=at, data={"flag": field})

    return run_locked(dossier, body)


def record_digitization(dossier, *, kind: str, by=None, at=None) -> Dossier:
    """Components (kind='receipt') or the result (kind='result') were digitized after the transition
    that normally records it (receive / sign_result). Circular 03/2025 art. 5: digitization is the rule."""
    at = now(at)
    fields = {"receipt": "digitized_at_receipt", "result": "result_digitized"}
    if kind not in fields:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")

    def check(d):
        if kind == "receipt" and d.status in (Status.DRAFT, Status.SUBMITTED):
            raise InvalidTransition("not_received", "Hồ sơ chưa được tiếp nhận nên chưa ghi nhận số hóa.")
        if kind == "result" and d.status not in (Status.APPROVED, Status.REJECTED, Status.READY_FOR_RETURN,
                                                 Status.RETURNED):
            raise InvalidTransition("no_result", "Hồ sơ chưa có kết quả giải quyết để ghi nhận số hóa.")

    return _set_flag(dossier, fields[kind], action="digitized", by=by, at=at, check=check)


DATA_LINKS = {"reused": "components_reused", "vault": "vault_linked"}


def record_data_link(dossier, *, kind: str, by=None, at=None) -> Dossier:
    """A component was taken again from the citizen data repository (kind='reused', Decision 766 4.3), or a
    digitized component or the result was stored into it (kind='vault', 4.4). Decree 45/2020 art. 9, 12.
    Idempotent: a flag already set writes nothing."""
    if kind not in DATA_LINKS:
        raise ValidationFailed("data_link_kind_invalid", "Loại liên kết dữ liệu không hợp lệ.")
    return _set_flag(dossier, DATA_LINKS[kind], action="data_linked", by=by, at=now(at))
