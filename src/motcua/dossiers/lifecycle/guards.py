"""Who may take which action on a dossier in which status: one declared guard per action.

Each ``Guard`` names the statuses an action starts from, who may take it (roles, in which of the
dossier's agencies, or its applicant), and the rules checked before the role (the dossier's state) and
after it (legal limits). The transitions run their guard first (motcua.dossiers.lifecycle.commit), and
``allowed_actions`` and motcua.dossiers.access ask the same guards, so buttons shown and transitions
accepted never disagree. Limits per legal version come from motcua.dossiers.rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from motcua.accounts.models import ADMIN_ROLES, Role
from motcua.accounts.permissions import has_role
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from .. import rules
from ..models import Dossier, Status

TERMINAL = frozenset({Status.REFUSED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED})
BEFORE_RECEIPT = frozenset({Status.SUBMITTED})
IN_PROGRESS = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAUSED, Status.SUPPLEMENT_REQUESTED})
DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.READY_FOR_RETURN, Status.RETURNED})
SIGNED = frozenset({Status.READY_FOR_RETURN, Status.RETURNED})  # the result was signed (sign_result)

# Who does what (Decree 118/2025 one-stop split); unit and provincial administrators stand in for any officer.
COUNTER = (Role.COUNTER_OFFICER,)
PROCESSORS = (Role.SPECIALIST, Role.DEPARTMENT_HEAD)
LEADER = (Role.LEADER,)

ACTION_LABELS = {
    "save_draft": "Lưu nháp", "submit_online": "Nộp hồ sơ trực tuyến", "receive": "Tiếp nhận hồ sơ",
    "receive_at_counter": "Tiếp nhận hồ sơ trực tiếp", "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "provide_supplement": "Bổ sung hồ sơ", "refuse": "Từ chối tiếp nhận", "start_processing": "Chuyển xử lý",
    "complete_step": "Hoàn thành bước xử lý", "hand_over": "Chuyển liên thông",
    "return_from_agency": "Trả về cơ quan chủ trì", "pause": "Tạm dừng", "resume": "Tiếp tục xử lý",
    "extend": "Gia hạn", "issue_apology": "Xin lỗi, hẹn lại ngày trả", "approve": "Phê duyệt kết quả",
    "reject": "Không giải quyết", "sign_result": "Ký kết quả", "return_result": "Trả kết quả",
    "withdraw": "Rút hồ sơ", "stop": "Dừng giải quyết",
    "transfer_agency": "Chuyển cơ quan do sắp xếp đơn vị hành chính",
    # facts recorded without a status change
    "record_payment": "Ghi nhận thanh toán trực tuyến", "digitized": "Ghi nhận số hóa",
    "result_electronic": "Ghi nhận kết quả điện tử", "data_linked": "Liên kết kho dữ liệu của người nộp",
}


def _status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def wrong_status(d: Dossier, action: str, code: str = "invalid_transition") -> InvalidTransition:
    return InvalidTransition(
        code,
        f"Không thể thực hiện «{ACTION_LABELS.get(action, action)}» khi hồ sơ đang ở trạng thái "
        f"«{_status_label(d.status)}».",
        details={"status": d.status, "action": action},
    )


def require_status(d: Dossier, action: str, allowed) -> None:
    if d.status not in allowed:
        raise wrong_status(d, action)


def require_role(user, roles, agencies, action: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để thực hiện thao tác này.")
    wanted = tuple(roles) + tuple(ADMIN_ROLES)
    for agency in agencies:
        if agency is not None and has_role(user, wanted, agency):
            return
    raise PermissionDenied(
        "forbidden",
        f"Bạn không có quyền «{ACTION_LABELS.get(action, action)}» đối với hồ sơ này.",
        details={"action": action},
    )


def is_owner(d: Dossier, user) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and uid in (d.applicant_id, d.submitted_by_id)


# In which of the dossier's agencies the role must be held.
def receiving(d):
    return [d.agency]


def receiving_or_holding(d):
    return [d.agency, d.current_agency]


def holding(d):
    return [d.current_agency or d.agency]


def holding_or_receiving(d):
    return [d.current_agency or d.agency, d.agency]


def helper(d):
    return [d.current_agency]


@dataclass(frozen=True)
class Guard:
    """``sources``: statuses the action starts from; ``received``: True/False when it needs (or must not
    have) a receipt date, else a wrong-status error too; ``state``: further checks of the dossier before
    the role; ``roles`` (a tuple, or a function of the dossier) held in one of ``where(dossier)``;
    ``owner``: its applicant may take it without a role; ``limits``: legal limits checked last."""

    action: str
    sources: frozenset
    roles: tuple | Callable[[Dossier], tuple]
    where: Callable[[Dossier], list]
    received: bool | None = None
    state: Callable[[Dossier], None] | None = None
    owner: bool = False
    limits: Callable[[Dossier], None] | None = None
    offered: bool = True

    def __call__(self, d: Dossier, user) -> None:
        if d.status not in self.sources or (self.received is not None and (d.received_at is not None)
                                            != self.received):
            raise wrong_status(d, self.action)
        if self.state is not None:
            self.state(d)
        if not (self.owner and is_owner(d, user)):
            roles = self.roles(d) if callable(self.roles) else self.roles
            require_role(user, roles, self.where(d), self.action)
        if self.limits is not None:
            self.limits(d)


def _supplement_roles(d):
    return COUNTER if d.status == Status.SUBMITTED else COUNTER + PROCESSORS


def _supplement_limit(d):
    if d.supplement_count >= rules.rules_of(d).max_supplement_requests:
        raise InvalidTransition("supplement_already_requested",
                                "Hồ sơ đã được yêu cầu bổ sung một lần; chỉ được hướng dẫn bổ sung một lần "
                                "bằng văn bản.", details={"supplement_count": d.supplement_count})


def _has_current_step(d):
    if d.current_step_id is None:
        raise InvalidTransition("no_current_step", "Hồ sơ đã qua hết các bước xử lý, đang chờ phê duyệt.")


def _step_roles(d):
    return PROCESSORS + ((d.current_step.role,) if d.current_step.role else ())


def _handed_over(d):
    if d.current_agency_id in (None, d.agency_id):
        raise InvalidTransition("not_handed_over", "Hồ sơ đang ở cơ quan chủ trì, không có gì để trả về.")


def _extension_limit(d):
    if d.extension_count >= rules.rules_of(d).max_extensions:
        raise InvalidTransition("extension_limit_reached", "Hồ sơ đã được gia hạn tối đa số lần cho phép.")


def _apology_limit(d):
    if d.apology_count >= rules.rules_of(d).max_apologies:
        raise InvalidTransition("apology_already_issued",
                                "Hồ sơ đã có phiếu xin lỗi và hẹn lại; chỉ được hẹn lại một lần.")


def last_step_pk(d: Dossier):
    """Primary key of the procedure's last process step (remembered on the loaded procedure)."""
    proc = d.procedure
    if not hasattr(proc, "_lifecycle_last_step_pk"):
        proc._lifecycle_last_step_pk = proc.steps.order_by("-order").values_list("pk", flat=True).first()
    return proc._lifecycle_last_step_pk


def _steps_done(d):
    # Allowed while waiting for the decision, or while the LAST step (the leader's approval) is open.
    if d.current_step_id is not None and d.current_step_id != last_step_pk(d):
        raise InvalidTransition("steps_pending", "Hồ sơ chưa qua hết các bước xử lý.",
                                details={"current_step": d.current_step.order})


_PROCESSING = frozenset({Status.PROCESSING})
_OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAUSED})

GUARDS: dict[str, Guard] = {g.action: g for g in (
    Guard("receive", BEFORE_RECEIPT, COUNTER, receiving),
    Guard("request_supplement", frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING}),
          _supplement_roles, receiving_or_holding, limits=_supplement_limit),
    Guard("provide_supplement", frozenset({Status.SUPPLEMENT_REQUESTED}), COUNTER, receiving, owner=True),
    Guard("refuse", frozenset({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED}), COUNTER, receiving, received=False),
    Guard("start_processing", frozenset({Status.RECEIVED}), COUNTER + PROCESSORS + LEADER, receiving),
    Guard("complete_step", _PROCESSING, _step_roles, holding, state=_has_current_step),
    Guard("hand_over", _PROCESSING, PROCESSORS + LEADER, holding),
    Guard("return_from_agency", _PROCESSING, PROCESSORS + LEADER, helper, state=_handed_over),
    Guard("pause", _PROCESSING, PROCESSORS + LEADER, holding_or_receiving),
    Guard("resume", frozenset({Status.PAUSED}), PROCESSORS + LEADER, holding_or_receiving),
    Guard("extend", _OPEN, LEADER, holding_or_receiving, limits=_extension_limit),
    # The leader of the agency causing the delay signs it (LEGAL §1.4).
    Guard("issue_apology", _OPEN, LEADER, holding, limits=_apology_limit),
    Guard("approve", _PROCESSING, LEADER, holding_or_receiving, state=_steps_done),
    Guard("reject", _PROCESSING, LEADER, holding_or_receiving, state=_steps_done),
    Guard("sign_result", frozenset({Status.APPROVED}), LEADER, holding_or_receiving),
    Guard("return_result", frozenset({Status.READY_FOR_RETURN}), COUNTER, receiving),
    Guard("withdraw", BEFORE_RECEIPT | IN_PROGRESS, COUNTER, receiving, owner=True),
    Guard("stop", IN_PROGRESS, LEADER + (Role.DEPARTMENT_HEAD,), holding_or_receiving, received=True),
    # A reorganization of administrative units moves every dossier of the old units not closed before the merger
    # took effect (units.reorganization; which ones: reorganization.moves_under, checked with the plan).
    Guard("transfer_agency", frozenset(Status), (Role.PROVINCIAL_ADMIN,), receiving_or_holding, offered=False),
)}


def allowed_actions(dossier: Dossier, user) -> list[str]:
    """Actions `user` may take on `dossier` now (status and role; argument checks come at call time)."""
    if dossier.status in TERMINAL:
        return []
    if dossier.status == Status.DRAFT:
        return ["save_draft", "submit_online"] if is_owner(dossier, user) else []
    result = []
    for action, guard in GUARDS.items():
        if not guard.offered or dossier.status not in guard.sources:
            continue  # the guard would refuse it anyway; skip building its message
        try:
            guard(dossier, user)
        except (InvalidTransition, PermissionDenied, ValidationFailed):
            continue
        result.append(action)
    return result
