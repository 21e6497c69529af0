"""The consent section of a dossier's page, on the portal and in the back office: whether the applicant lets the
agency handling the dossier read their data repository, per purpose and until when; give it, withdraw it.

The rules (who may, how long, what an existing consent means) are ``motcua.documents.consent``'s; this module
only reads the form, calls the service and tells the person what happened, in Vietnamese."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.documents import consent
from motcua.documents.models import ConsentPurpose

from .display import vn_datetime
from .forms import REQUIRED, WholeNumberField
from .pages import actor, place_domain_error


class ConsentForm(forms.Form):
    """Purpose and number of days; an officer who heard the consent at the counter may add a note. The range of
    days and the purposes are checked by the service (its message is placed at the field)."""

    purpose = forms.CharField(label="Mục đích", error_messages=REQUIRED,
                              widget=forms.Select(choices=ConsentPurpose.choices))
    days = WholeNumberField(label="Số ngày", error_messages={**REQUIRED, "invalid": "Số ngày phải là một số nguyên."})
    note = forms.CharField(label="Ghi chú", required=False, max_length=255,
                           help_text="không bắt buộc; ví dụ: công dân đồng ý bằng lời tại quầy")

    def __init__(self, *args, officer: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "dong-y-%s")  # the back-office page has other forms with a "days" field
        super().__init__(*args, **kwargs)
        most = consent.max_days()
        days = self.fields["days"]
        days.initial = most
        days.help_text = f"từ 1 đến {most} ngày"
        days.widget.attrs.update({"min": 1, "max": most, "inputmode": "numeric"})
        if not officer:
            del self.fields["note"]


def consent_section(dossier, *, officer: bool = False, form: ConsentForm | None = None, user=None) -> dict:
    """What the dossier page shows: each purpose's state, and the form to give consent to whoever may give it (an
    officer handling the dossier, or on the portal ``user`` when they are the applicant: someone who filed for
    another person sees the state only, since the consent is that person's)."""
    may_give = officer or consent.is_self(user, dossier.applicant_id_number)
    # the applicant's own number, typed at sign-up and not yet proven by the e-ID: say how to give consent
    unproven = not may_give and getattr(user, "id_number", "") == dossier.applicant_id_number != ""
    return {"consent_rows": consent.consent_state(dossier),
            "consent_form": (form if form is not None else ConsentForm(officer=officer)) if may_give else None,
            "consent_unverified": consent.UNVERIFIED_MESSAGE if unproven else ""}


def _label(purpose: str) -> str:
    return dict(ConsentPurpose.choices).get(purpose, purpose)


def post_consent(request, dossier, action: str, *, officer: bool, show_page, done: str):
    """Give (``grant``) or withdraw (``revoke``) the consent for `dossier` from a POST.

    Success: a message and a redirect to `done`. A refusal (form or service): the dossier page again, from
    ``show_page(form, status)``, with the reason in Vietnamese and a 4xx status; nothing is written."""
    user = actor(request)
    if action == "revoke":
        purpose = request.POST.get("purpose", "")
        try:
            count = consent.revoke_consent(dossier.applicant_id_number, purpose, by=user, dossier=dossier)
        except DomainError as err:
            messages.error(request, err.message)
            return show_page(None, _status(err))
        if count:
            messages.success(request, f"Đã rút lại sự đồng ý «{_label(purpose)}»; cơ quan không còn được khai thác "
                                      "kho dữ liệu cho mục đích này.")
        else:
            messages.info(request, f"Không có sự đồng ý «{_label(purpose)}» nào đang có hiệu lực để rút lại.")
        return redirect(done)
    form = ConsentForm(request.POST, officer=officer)
    if not form.is_valid():
        messages.error(request, "Chưa ghi nhận được sự đồng ý: vui lòng sửa các mục được đánh dấu.")
        return show_page(form, 400)
    data = form.cleaned_data
    started = timezone.now()
    try:
        row = consent.grant_consent(dossier.applicant_id_number, data["purpose"], by=user, dossier=dossier,
                                    days=data["days"], note=data.get("note", ""))
    except DomainError as err:
        messages.error(request, err.message)
        if err.details:
            place_domain_error(form, err)
        return show_page(form, _status(err))
    until = vn_datetime(row.expires_at)
    if row.granted_at < started:  # the service keeps a consent already in force as it is
        messages.info(request, f"Sự đồng ý «{_label(row.purpose)}» đang có hiệu lực đến {until}, không gia hạn. "
                               "Muốn đổi thời hạn, hãy rút lại rồi đồng ý lại.")
    else:
        messages.success(request, f"Đã ghi nhận sự đồng ý «{_label(row.purpose)}», có hiệu lực đến {until}.")
    return redirect(done)


def _status(err: DomainError) -> int:
    return err.status if 400 <= err.status < 500 else 400
