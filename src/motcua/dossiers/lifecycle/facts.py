"""Facts recorded without a status change, through the same commit path (event, audit entry, outbox):
the online payment, late digitization, a result that became electronic after signing, and links with the citizen
data repository."""

from __future__ import annotations

from motcua.core.errors import InvalidTransition, ValidationFailed

from ..models import Dossier, Status
from .commit import commit, flag_of, now, run_locked
from .guards import DECIDED, SIGNED


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


def _set_flag(dossier, field: str, *, action: str, by, at, check=None, implies=()) -> Dossier:
    """Set one boolean fact of the dossier once (a flag already set writes nothing), after ``check(d)``: it raises to
    refuse, or returns False when the fact does not hold (nothing written). ``implies``: flags that come with it,
    set in the same event when they are not yet."""

    def body(d):
        if getattr(d, field):
            return d
        if check is not None and check(d) is False:
            return d
        also = [name for name in implies if not getattr(d, name)]
        for name in (field, *also):
            setattr(d, name, True)
        return commit(d, action=action, from_status=d.status, actor=by, at=at,
                      data={"flag": field, **({"also": also} if also else {})})

    return run_locked(dossier, body)


def record_digitization(dossier, *, kind: str, by=None, at=None, digitized=None) -> Dossier:
    """Components (kind='receipt') or the result (kind='result') were digitized after the transition
    that normally records it (receive / sign_result). Circular 03/2025 art. 5: digitization is the rule.
    ``digitized``: None to record it (refused before the transition that records it), or the function of the locked
    dossier that says whether its documents are digitized (documents.digitization_flags): both that and the status
    are then asked under the lock, and nothing is written (no refusal) when either says no."""
    at = now(at)
    fields = {"receipt": "digitized_at_receipt", "result": "result_digitized"}
    if kind not in fields:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")

    def check(d):
        if digitized is not None:
            return digitization_recordable(d, kind) and flag_of(digitized, d)
        if digitization_recordable(d, kind):
            return
        if kind == "receipt":
            raise InvalidTransition("not_received", "Hồ sơ chưa được tiếp nhận nên chưa ghi nhận số hóa.")
        raise InvalidTransition("no_result", "Hồ sơ chưa có kết quả giải quyết để ghi nhận số hóa.")

    return _set_flag(dossier, fields[kind], action="digitized", by=by, at=at, check=check)


def digitization_recordable(dossier, kind: str) -> bool:
    """Whether a late digitization of ``kind`` is recorded for the dossier in its status: its components once it
    was received (before, the reception records it), its result once decided."""
    if kind == "receipt":
        return dossier.status not in (Status.DRAFT, Status.SUBMITTED)
    return dossier.status in DECIDED


def record_electronic_result(dossier, *, electronic=True, by=None, at=None) -> Dossier:
    """The result, signed and recorded as not electronic (sign_result), is an electronic document after all: a result
    PDF bearing a valid digital signature was filed on the dossier afterwards (documents.digitization_flags
    .mark_result_electronic). Sets ``result_electronic`` (Decision 766 indicator 4.1) and, as signing does for such a
    file, ``result_digitized`` (4.2). ``electronic``: the fact, or the function of the locked dossier that says it.
    Both are asked under the lock, and a result not signed yet writes nothing: the lock is kept to the end of the
    caller's transaction (the upload's), so a signing waiting for it sees the file. Idempotent."""

    def check(d):
        return d.status in SIGNED and flag_of(electronic, d)

    return _set_flag(dossier, "result_electronic", action="result_electronic", by=by, at=now(at), check=check,
                     implies=("result_digitized",))


DATA_LINKS = {"reused": "components_reused", "vault": "vault_linked"}


def record_data_link(dossier, *, kind: str, by=None, at=None) -> Dossier:
    """A component was taken again from the citizen data repository (kind='reused', Decision 766 4.3), or a
    digitized component or the result was stored into it (kind='vault', 4.4). Decree 45/2020 art. 9, 12.
    Idempotent: a flag already set writes nothing."""
    if kind not in DATA_LINKS:
        raise ValidationFailed("data_link_kind_invalid", "Loại liên kết dữ liệu không hợp lệ.")
    return _set_flag(dossier, DATA_LINKS[kind], action="data_linked", by=by, at=now(at))
