"""Every kind of row the administration site shows, on the demo installation: its list, its add page, two rows'
pages saved back as they are, and those rows deleted (one by its own page, one by the list's bulk action).

The crawl (``test_crawl``) reaches about a dozen kinds of row within its page budget; this goes through all of
them. No answer may be a 500, and a deletion either removes the row or leaves it whole: the admin's "cannot
delete" page keeps it, a confirmed deletion removes it."""

from __future__ import annotations

import lxml.html
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from motcua.accounts.models import User
from motcua.documents import consent
from motcua.documents.models import ConsentPurpose
from motcua.dossiers.models import Dossier
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

PEOPLES_RECORDS = ("documents.Attachment", "documents.DigitizationJob", "documents.VaultItem",
                   "documents.VaultConsent", "engagement.SatisfactionRating", "engagement.Feedback",
                   "integrations.PostalShipment")


def _form_values(html: bytes) -> dict:
    """What the admin's change form holds, as a browser would send it back (unchanged)."""
    doc = lxml.html.fromstring(html)
    forms = [f for f in doc.xpath("//form[@method='post']") if f.xpath(".//input[@type='submit' and @name='_save']")]
    if not forms:
        return {}
    data: dict = {}
    for el in forms[0].xpath(".//input|.//select|.//textarea"):
        name, kind = el.get("name"), el.get("type")
        if not name or name == "csrfmiddlewaretoken" or kind in ("submit", "button", "file"):
            continue
        if kind in ("checkbox", "radio"):
            if el.get("checked") is not None:
                data.setdefault(name, []).append(el.get("value") or "on")
        elif el.tag == "select":
            chosen = el.xpath(".//option[@selected]/@value")
            data[name] = chosen if el.get("multiple") is not None else (chosen[0] if chosen else "")
        elif el.tag == "textarea":
            data[name] = el.text or ""
        else:
            data[name] = el.get("value") or ""
    data["_save"] = "Lưu"
    return data


def _pages_of(client: Client, model, model_admin, failures: list) -> int:
    """One kind of row; returns how many of its rows were deleted."""
    label = f"{model._meta.app_label}_{model._meta.model_name}"
    for url in (reverse(f"admin:{label}_changelist"), reverse(f"admin:{label}_changelist") + "?q=%27%C3%A0"):
        if (resp := client.get(url)).status_code >= 500:
            failures.append(f"GET {url} → {resp.status_code}")
    request = _admin_request()
    if model_admin.has_add_permission(request):
        url = reverse(f"admin:{label}_add")
        if (resp := client.get(url)).status_code >= 500:
            failures.append(f"GET {url} → {resp.status_code}")
    rows = list(model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True)[:1]) + list(
        model_admin.get_queryset(request).order_by("-pk").values_list("pk", flat=True)[:2])
    rows = list(dict.fromkeys(rows))
    deleted = 0
    for pk in rows[:2]:
        url = reverse(f"admin:{label}_change", args=[pk])
        resp = client.get(url)
        if resp.status_code >= 500:
            failures.append(f"GET {url} → {resp.status_code}")
            continue
        if resp.status_code == 200 and (data := _form_values(resp.content)):
            answer = client.post(url, data)
            if answer.status_code >= 500:
                failures.append(f"POST {url} (unchanged) → {answer.status_code}")
    for i, pk in enumerate(rows):
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None or not model_admin.has_delete_permission(request, obj):
            continue
        if i == 0:
            url = reverse(f"admin:{label}_delete", args=[pk])
            if (resp := client.get(url)).status_code >= 500:
                failures.append(f"GET {url} → {resp.status_code}")
                continue
            answer = client.post(url, {"post": "yes"})
        else:
            url = reverse(f"admin:{label}_changelist")
            answer = client.post(url, {"action": "delete_selected", "_selected_action": [str(pk)], "post": "yes"})
        gone = not model._default_manager.filter(pk=pk).exists()
        if answer.status_code >= 500:
            failures.append(f"POST delete {label} {pk} via {url} → {answer.status_code}")
        elif answer.status_code == 302 and not gone and i == 0:
            failures.append(f"POST delete {label} {pk}: answered as deleted, still there")
        elif answer.status_code == 200 and gone:
            failures.append(f"POST delete {label} {pk}: refused, yet the row is gone")
        deleted += gone
    return deleted


def _admin_request():
    """A request of the province administrator, for asking the admins what they permit."""
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin")
    return request


def test_every_admin_model_lists_saves_and_deletes_without_500(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("setup_demo", dossiers=16, seed=11, verbosity=0)
    citizen = User.objects.get(username="congdan")
    own = Dossier.objects.filter(applicant=citizen).exclude(code__isnull=True).first()
    consent.grant_consent(own.applicant_id_number, ConsentPurpose.PREFILL, by=citizen, dossier=own, days=30)
    client = Client(raise_request_exception=False)
    sign_in(client, User.objects.get(username="admin"))
    failures: list[str] = []
    deleted = {}
    # Rows others point to (units, agencies, procedures, users) last, so the others' rows are still there to see.
    order = sorted(admin.site._registry.items(),
                   key=lambda kv: (kv[0]._meta.app_label in ("units", "catalog", "accounts"), kv[0]._meta.label))
    for model, model_admin in order:
        deleted[model._meta.label] = _pages_of(client, model, model_admin, failures)
    assert not failures, "\n".join(failures)
    # A person's files, scans, repository and consents, their ratings and feedback, the post's word on a result
    # sent home are shown, never altered by hand: their services write them (audited) and the figures count them.
    for label in PEOPLES_RECORDS:
        model = apps.get_model(label)
        model_admin, request = admin.site._registry[model], _admin_request()
        assert not any(can(request) for can in (model_admin.has_add_permission, model_admin.has_change_permission,
                                                model_admin.has_delete_permission)), label
        assert deleted[label] == 0, label
        if (row := model._default_manager.order_by("pk").first()) is None:
            assert label in ("documents.DigitizationJob", "integrations.PostalShipment"), label  # the demo has the rest
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"_save": "Lưu"}).status_code == 403
        assert client.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    # Deletions went through for many kinds of row (not refused wholesale by a broken confirmation page).
    assert sum(1 for n in deleted.values() if n) >= 10, deleted
