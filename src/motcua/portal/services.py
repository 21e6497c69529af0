"""Glue between the web pages and the engines of other apps, with temporary fall-backs.

Each fall-back is used only while the owning app has not shipped its service yet.
"""

from __future__ import annotations

import os

from django.core.files.storage import default_storage


def search_procedures(q="", field=None, level="", online_level="", agency=None):
    from motcua.catalog.services import search_procedures as engine

    return engine(q, field=field, level=level or None, online_level=online_level or None, agency=agency)


def visible_dossiers(user):
    from motcua.accounts.permissions import visible_dossiers as engine

    return engine(user)


def officer_can_view(user, dossier) -> bool:
    from motcua.accounts.permissions import can_view_dossier

    return can_view_dossier(user, dossier)


def record_read(user, dossier, purpose: str) -> None:
    """An officer's read of a person's data goes to the audit trail (the applicant's own reads do not)."""
    from motcua.audit.services import record_dossier_read

    record_dossier_read(user, dossier, purpose=purpose)


def register_citizen(*, username, password, full_name, id_number, phone, email=""):
    from motcua.accounts.services import register_citizen as engine

    return engine(username=username, password=password, full_name=full_name, id_number=id_number,
                  phone=phone, email=email)


# Attachments: stored with Django's default storage under ho-so/<dossier>/<component key>/.

def attachment_dir(dossier, key: str) -> str:
    return f"ho-so/{dossier.pk}/{key}"


def store_attachment(dossier, key: str, upload) -> str:
    name = os.path.basename(upload.name).replace(" ", "_")
    return default_storage.save(f"{attachment_dir(dossier, key)}/{name}", upload)


def list_attachments(dossier) -> dict[str, list[str]]:
    root = f"ho-so/{dossier.pk}"
    out: dict[str, list[str]] = {}
    try:
        dirs, _ = default_storage.listdir(root)
    except (FileNotFoundError, NotADirectoryError):
        return out
    for key in dirs:
        _, files = default_storage.listdir(f"{root}/{key}")
        if files:
            out[key] = sorted(files)
    return out


def render_slip(kind: str, dossier, fmt: str = "pdf") -> bytes:
    from motcua.dossiers.slips import render

    return render(kind, dossier, fmt=fmt)


def audit_person_lookup(user, id_number: str) -> None:
    from motcua.audit.services import record_read as audit_read

    audit_read(user, "person", id_number, ["full_name", "phone", "email", "address"], purpose="walk_in_lookup")
