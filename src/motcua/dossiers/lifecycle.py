"""Every legal transition of a dossier lives here (CONTRACT — being implemented).

Public functions below are the contract other apps (api, portal, backoffice, reporting tests)
program against. Each one:
- runs in one transaction (transaction.atomic), locks the dossier row (select_for_update);
- checks the current status and the actor's role, raising motcua.core.errors.InvalidTransition /
  PermissionDenied / ValidationFailed (code + Vietnamese message) and changing nothing on failure;
- writes a DossierEvent, an audit entry (motcua.audit.services.record) and an outbox event
  (motcua.integrations.outbox.emit, topic "dossier.<action>") in the same transaction;
- accepts `at=` (aware datetime) to replay history in tests and simulations; default now.

Outbox payload for every topic (reporting and integrations rely on it):
  {"dossier_id", "code", "action", "from_status", "to_status", "at" (ISO), "procedure_code",
   "procedure_online_level", "field_code", "agency_code", "current_agency_code", "channel",
   "received_at", "due_at", "decided_at", "returned_at", "fee_vnd", "fee_paid_online",
   "digitized_at_receipt", "result_digitized", "result_electronic", "supplement_count",
   "apology_count", "applicant_id_number"}
"""
