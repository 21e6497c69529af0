"""What the dossier page shows of digitization (who may scan, each component's state) and of the result drafted
from the procedure's template."""

from __future__ import annotations

from motcua.documents.digitization_flags import components_with_files
from motcua.documents.digitization_rules import may_digitize, receipt_digitization_applies
from motcua.documents.models import DigitizationKind, ResultTemplate
from motcua.documents.result_drafts import latest_draft, may_draft, may_set_template
from motcua.dossiers.access import can_act
from motcua.dossiers.models import Status


def digitization_panel(user, dossier) -> dict:
    """What the dossier page shows: each component with its latest job (with its file, for a dossier submitted
    online), and the result's."""
    jobs = list(dossier.digitization_jobs.select_related("confirmed_by").order_by("created_at", "id"))
    latest = {}
    for job in jobs:
        latest[(job.kind, job.component_id)] = job
    components = list(dossier.procedure.components.all())
    rows = [(c, latest.get((DigitizationKind.RECEIPT, c.pk))) for c in components]
    files = []
    if not receipt_digitization_applies(dossier):  # submitted online: the files are the digitized components
        attached = components_with_files(dossier)
        files = [(c, c.pk in attached) for c in components]
    return {"scan_rows": rows, "file_rows": files, "scan_receipt": may_digitize(user, dossier, DigitizationKind.RECEIPT),
            "scan_result": may_digitize(user, dossier, DigitizationKind.RESULT),
            "result_job": latest.get((DigitizationKind.RESULT, None))}


def result_panel(user, dossier) -> dict:
    """The result drafted from the procedure's template: the template, the latest draft, who may draft or sign."""
    tpl = ResultTemplate.objects.filter(procedure=dossier.procedure).first()
    return {"result_template": tpl, "result_draft": latest_draft(dossier),
            "may_draft": tpl is not None and may_draft(user, dossier),
            "may_set_template": may_set_template(user, dossier.procedure),
            "may_sign_draft": dossier.status == Status.APPROVED and can_act(user, "sign_result", dossier)}
