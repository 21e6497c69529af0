"""Every legal transition of a dossier lives in this package.

Public functions below are the contract other apps (api, portal, backoffice, reporting tests)
program against. Each one:
- runs in one transaction (transaction.atomic), locks the dossier row (select_for_update);
- checks the current status and the actor's role, raising motcua.core.errors.InvalidTransition /
  PermissionDenied / ValidationFailed (code + Vietnamese message) and changing nothing on failure;
- writes a DossierEvent, an audit entry (motcua.audit.services.record) and an outbox event
  (an OutboxEvent, topic "dossier.<action>") in the same transaction — the row update, event and outbox
  event as one statement on PostgreSQL (``store.py``);
- accepts `at=` (aware datetime) to replay history in tests and simulations; default now;
- increments dossier.version and returns the updated Dossier (the instance passed in is refreshed too).

Outbox payload for every topic (reporting and integrations rely on it):
  {"dossier_id", "code", "action", "from_status", "to_status", "at" (ISO), "procedure_code",
   "procedure_online_level", "field_code", "agency_code", "current_agency_code", "channel",
   "received_at", "due_at", "decided_at", "returned_at", "fee_vnd", "fee_paid_online",
   "digitized_at_receipt", "result_digitized", "result_electronic", "supplement_count",
   "apology_count", "components_reused", "vault_linked", "applicant_vneid", "applicant_population",
   "applicant_id_number"}
  plus "version", "rule_version", "step_order", "to_agency_code" (may be null).

Legal texts: Decree 61/2018/NĐ-CP + Circular 01/2018/TT-VPCP for dossiers received before
01/07/2025; Decree 118/2025/NĐ-CP + Circular 03/2025/TT-VPCP from then on; Decree 45/2020/NĐ-CP for
the online channel. Version-dependent numbers live in motcua.dossiers.rules.

Other public names: ``allowed_actions``, ``timeliness``, ``step_timeliness``, ``awaiting_decision``,
``online_receipt_due_at``, ``handovers`` (control sheet rows), ``reception_day_off`` and
``check_off_day_reason`` (a reception on a day off of the unit needs a reason: the rule the back office's
forms, the API and ``receive`` / ``receive_at_counter`` share), ``appointment`` (a dossier's due date were it received
at a moment: what a unit whose dissolution is recorded ahead may still take, units.receiving), ``GUARDS`` (action → guard(dossier,
user) raising the same errors as the transition; used by dossiers.access.can_act),
``ACTION_LABELS`` (Vietnamese button labels), ``ReturnHold`` and ``return_holds`` (a layer above that may hold the
result elsewhere refuses a return here: returns.py; ``hold_refusals``, the ways they refuse now, for the form), ``payload`` (the outbox payload), ``TERMINAL``, ``SIGNED``
(the statuses after the result was signed), ``DossierRef`` (name a dossier by code + visibility rule instead of
loading it: the transition's own locking statement finds it; used by the API), ``procedure_and_agency`` (a submission's procedure, with its
field, and agency by code, active or not, in one statement that also reads whether the agency receives the
procedure, so that the submission does not ask again; used by the API). A retried idempotent submission
returns the first dossier with ``idempotent_replay = True``.

Processing is a walk through the procedure's ProcessSteps (catalog). "Waiting for the decision"
is represented as: status PROCESSING, ``current_step`` None and no open StepRun (see
``awaiting_decision``). ``approve``/``reject`` are allowed then, or while the LAST step is open (the
leader's approval step is closed by the decision itself).

Layout: ``guards.py`` (who may take which action from which status: one declared Guard per action),
``commit.py`` (locking and the commit path), ``transitions.py`` (the ``transition`` declaration that writes the
skeleton once), ``creation.py`` (a new dossier's first write, idempotent submissions), ``store.py`` (the commit path's own statements), ``intake.py``, ``processing.py``, ``closing.py`` (the transitions by stage), ``reorganization.py``
(``transfer_agency``: a reorganization plan moves a dossier not closed before it took effect to the successor
agency), ``facts.py`` (facts
without a status change), ``timeliness.py`` (early / on time / late, hand-overs).
"""

from .closing import approve, reject, return_result, sign_result, stop, withdraw
from .commit import DossierRef, payload
from .facts import (
    digitization_recordable,
    record_data_link,
    record_digitization,
    record_electronic_result,
    record_online_payment,
)
from .guards import ACTION_LABELS, BEFORE_RECEIPT, DECIDED, GUARDS, IN_PROGRESS, SIGNED, TERMINAL, allowed_actions
from .intake import (
    appointment,
    check_off_day_reason,
    provide_supplement,
    receive,
    receive_at_counter,
    reception_day_off,
    refuse,
    request_supplement,
    save_draft,
    submit_online,
)
from .intake_reads import procedure_and_agency
from .processing import (
    MAX_EXTENSION_DAYS,
    MIN_EXTENSION_DAYS,
    complete_step,
    extend,
    hand_over,
    issue_apology,
    pause,
    resume,
    return_from_agency,
    start_processing,
)
from .reorganization import Succession, event_label, filed_with, moved_because, receiving_agency_at, transfer_agency
from .returns import (
    ReturnHold,
    check_return_method,
    hold_refusals,
    online_return_note,
    online_return_refusal,
    return_choices,
    return_holds,
)
from .timeliness import awaiting_decision, handovers, online_receipt_due_at, step_timeliness, timeliness

__all__ = [
    "MAX_EXTENSION_DAYS", "MIN_EXTENSION_DAYS", "ACTION_LABELS", "BEFORE_RECEIPT", "DECIDED", "GUARDS", "IN_PROGRESS", "SIGNED", "TERMINAL", "DossierRef",
    "Succession", "allowed_actions", "appointment", "approve", "awaiting_decision", "check_off_day_reason",
    "check_return_method", "hold_refusals", "online_return_note", "online_return_refusal", "return_choices",
    "ReturnHold",
    "return_holds",
    "complete_step",
    "digitization_recordable", "event_label", "extend", "filed_with", "hand_over", "handovers", "issue_apology",
    "moved_because", "online_receipt_due_at", "pause", "payload", "procedure_and_agency", "provide_supplement", "receive",
    "receive_at_counter", "receiving_agency_at", "reception_day_off",
    "record_data_link", "record_digitization", "record_electronic_result", "record_online_payment", "refuse",
    "reject", "request_supplement", "resume", "return_from_agency", "return_result", "save_draft", "sign_result",
    "start_processing", "step_timeliness", "stop", "submit_online", "timeliness", "transfer_agency", "withdraw",
]
