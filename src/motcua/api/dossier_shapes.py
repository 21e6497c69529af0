"""What the dossier API answers about a dossier: its summary (lists), its state (every transition's answer: the
summary and the actions the caller may take next, named as the endpoints are) and its detail (with the history)."""

from __future__ import annotations

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier


def dossier_summary(dossier: Dossier) -> dict:
    """A dossier as lists and every answer show it."""
    return {
        "code": dossier.code, "status": dossier.status, "status_label": dossier.get_status_display(),
        "procedure_code": dossier.procedure.code, "procedure_name": dossier.procedure.name,
        "agency_code": dossier.agency.code,
        "current_agency_code": dossier.current_agency.code if dossier.current_agency_id else None,
        "current_step": str(dossier.current_step) if dossier.current_step_id else None,
        "assignee": dossier.assignee.username if dossier.assignee_id else None,
        "channel": dossier.channel, "return_method": dossier.return_method,
        "applicant_name": dossier.applicant_name, "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at, "due_at": dossier.due_at, "decided_at": dossier.decided_at,
        "returned_at": dossier.returned_at, "fee_vnd": dossier.fee_vnd,
        "supplement_count": dossier.supplement_count, "extension_count": dossier.extension_count,
        "apology_count": dossier.apology_count, "version": dossier.version,
        "timeliness": lifecycle.timeliness(dossier),
    }


# Engine action name → the path segment of its endpoint (POST /dossiers/{code}/<segment>).
ACTION_PATHS = {"issue_apology": "apology", "return_result": "return"}
API_ACTIONS = {"save_draft", "submit_online", "receive_at_counter"}  # not actions on an existing dossier


def _allowed(dossier, user) -> list[str]:
    """What the caller may POST next, named as the endpoints are (e.g. "start-processing")."""
    names = (str(a) for a in lifecycle.allowed_actions(dossier, user))
    return [ACTION_PATHS.get(n, n.replace("_", "-")) for n in names if n not in API_ACTIONS]


def dossier_state(dossier: Dossier, user) -> dict:
    """The summary and what ``user`` may do next: the answer of every transition."""
    data = dossier_summary(dossier)
    data["allowed_actions"] = _allowed(dossier, user)
    return data


def dossier_detail(dossier: Dossier, user) -> dict:
    """The state, the applicant's details, the form and the history: GET /dossiers/{code}."""
    data = dossier_state(dossier, user)
    data.update(
        applicant_id_number=dossier.applicant_id_number, applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email, applicant_address=dossier.applicant_address,
        form_data=dossier.form_data or {}, result_summary=dossier.result_summary,
        refusal_reason=dossier.refusal_reason,
        history=[{
            "action": e.action, "from_status": e.from_status, "to_status": e.to_status, "at": e.at,
            "actor": str(e.actor) if e.actor_id else None,
            "agency_code": e.agency.code if e.agency_id else None,
            "to_agency_code": e.to_agency.code if e.to_agency_id else None,
            "step": str(e.step) if e.step_id else None, "note": e.note,
        } for e in dossier.events.select_related("actor", "agency", "to_agency", "step").order_by("at", "id")],
    )
    return data
