"""Stored text made precomposed (NFC, core.text.nfc): what was typed decomposed before text was normalized where
it comes in (core.input, api.main.NfcParser, the catalog and plan imports) — `manage.py normalize_text`.

Which columns: every CharField / TextField (EmailField, SlugField, URLField included) of the project's own models
(apps under ``motcua.``), except the models and fields of ``SKIPPED`` — values that must stay byte for byte as they
are — and except fields with choices (codes the program writes, never typed). A JSONField only when it holds typed
text that is searched, compared or printed (``JSON_FIELDS``); the other JSON documents are snapshots, external
messages or secrets (their reasons in ``SKIPPED_JSON``). Derived copies: the only stored search copy of a text is
``Procedure.name_folded`` (core.text.fold, accent-free: the same for either form); the statistics (reporting's
DossierFact, StatCounter) hold codes and numbers, no names.

How: by primary key in batches, reading the key and the text columns only; a row is rewritten only when one of its
values is not NFC (on a PostgreSQL UTF8 database the rows are first narrowed with ``IS NOT NFC NORMALIZED``), with
``QuerySet.update`` on that row (no save(): no signals, ``auto_now`` untouched), one transaction per batch. A row
whose new value would collide with a unique value already there (the same name typed both ways), or whose JSON
document has a key stored both ways (core.text.DuplicateKey: one of the values would be lost), is left as it is and
reported. Nothing is recorded about progress: running it again finds only what is still decomposed.

Audit: rewriting stored text is an administrative act. Each run that writes (not a dry run) sends ``text_normalized``
once, after its last batch or when it stopped, with its counts per table and per field (never the rows); the audit
app records it (audit.receivers: core imports nothing above it).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.dispatch import Signal

from .text import DuplicateKey, nfc

BATCH = 1000
# Sent once per writing run: result (Result, what was rewritten so far), complete (False: it stopped on an error).
text_normalized = Signal()

# Models left whole, with the reason (label: reason).
SKIPPED_MODELS = {
    "audit.AuditEntry": "hash-chained trail: rewriting its data breaks verify_audit (and the trigger refuses it)",
    "audit.ChainerState": "the audit chain's head hash",
    "motcua_db.ArchivedPartition": "signed record (seal, last hash) of detached audit partitions",
    "outbox.OutboxEvent": "events already published: history, replayed as is into the statistics",
    "integrations.Delivery": "what was delivered to subscribers and what they answered: history",
}
# Fields left as they are (label.field: reason).
SKIPPED_FIELDS = {
    "accounts.User.password": "password hash",
    "accounts.ApiToken.key_hash": "token hash",
    "accounts.ApiToken.prefix": "part of the token as issued",
    "accounts.TwoFactorDevice.secret": "encrypted TOTP secret",
    "documents.Attachment.sha256": "digest of the stored file",
    "documents.Attachment.storage_path": "file name on disk",
    "documents.DigitizationJob.task_id": "the task queue's id",
    "dossiers.Dossier.idempotency_key": "client's retry key, compared exactly",
    "integrations.WebhookSubscription.secret": "HMAC signing secret",
    "integrations.WebhookSubscription.url": "subscriber's endpoint address",
    "payments.Payment.merchant_ref": "reference exchanged with the payment gateway (signed messages)",
    "payments.Payment.gateway_ref": "the gateway's own reference",
    "payments.Payment.payment_url": "the gateway's signed payment address",
}
# JSON documents whose strings are typed text that is searched, compared or printed (label.field: why).
JSON_FIELDS = {
    "dossiers.Dossier.form_data": "the declaration: printed on result drafts, compared with digitized papers",
    "dossiers.SupplementRequest.items": "papers asked for, typed by the officer, printed on the request",
}
SKIPPED_JSON = "other JSON: snapshots (events, slips, round answers), external messages, signatures, secrets"


@dataclasses.dataclass
class Result:
    changed: Counter = dataclasses.field(default_factory=Counter)  # "label.field" -> rows (would be) rewritten
    rows: Counter = dataclasses.field(default_factory=Counter)  # label -> rows (would be) rewritten
    scanned: Counter = dataclasses.field(default_factory=Counter)  # label -> rows read (PostgreSQL: not NFC only)
    tables: int = 0  # models visited
    refused: list = dataclasses.field(default_factory=list)  # (label, pk, error): left as they were


def targets() -> list[tuple[type[models.Model], list[models.Field]]]:
    """The models of the project's apps and their text columns to normalize."""
    out = []
    for model in apps.get_models():
        label = model._meta.label
        if (not model.__module__.startswith("motcua.") or model._meta.proxy or not model._meta.managed
                or label in SKIPPED_MODELS):
            continue
        fields = [f for f in model._meta.concrete_fields if _is_text(label, f)]
        if fields:
            out.append((model, fields))
    return out


def _is_text(label: str, field) -> bool:
    name = f"{label}.{field.name}"
    if name in SKIPPED_FIELDS or field.primary_key or field.choices:
        return False
    if isinstance(field, models.JSONField):
        return name in JSON_FIELDS
    return isinstance(field, (models.CharField, models.TextField))


def _prefilter() -> bool:
    """PostgreSQL can tell `IS NOT NFC NORMALIZED` itself, in a UTF8 database only (PostgreSQL 13+)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SHOW server_encoding")
        return cur.fetchone()[0].upper() in ("UTF8", "UTF-8")


class _NotNfc(models.Func):
    template = "(%(expressions)s)::text IS NOT NFC NORMALIZED"
    output_field = models.BooleanField()


def _is_nfc(value) -> bool:
    if isinstance(value, str):
        return value.isascii() or unicodedata.is_normalized("NFC", value)
    return nfc(value) == value


def normalize(*, dry_run: bool = False, batch: int = BATCH, only=None) -> Result:
    """Rewrite (or, dry_run, count) the stored text that is not NFC; `only`: labels of the models to visit."""
    result, complete = Result(), False
    try:
        _normalize(result, dry_run=dry_run, batch=batch, only=only)
        complete = True
    finally:
        if not dry_run:  # what was written is recorded, also when a batch failed after others were committed
            text_normalized.send(sender=Result, result=result, complete=complete)
    return result


def _normalize(result: Result, *, dry_run: bool, batch: int, only) -> None:
    narrow = _prefilter()
    for model, fields in targets():
        label = model._meta.label
        if only and label not in only:
            continue
        names = [f.attname for f in fields]
        result.tables += 1
        qs = model._base_manager.order_by("pk")
        if narrow:
            cond = models.Q()
            for name in names:
                cond |= models.Q(_NotNfc(models.F(name)))
            qs = qs.filter(cond)
        last = None
        while True:
            rows = list((qs if last is None else qs.filter(pk__gt=last)).values_list("pk", *names)[:batch])
            if not rows:
                break
            last = rows[-1][0]
            result.scanned[label] += len(rows)
            changes = []
            for pk, *values in rows:
                try:
                    new = {n: nfc(v) for n, v in zip(names, values, strict=True) if v is not None and not _is_nfc(v)}
                except DuplicateKey as exc:  # a JSON object with a key stored both ways: no value is dropped
                    result.refused.append((label, pk, exc.message))
                    continue
                if new:
                    changes.append((pk, new))
            if dry_run:
                _count(result, label, changes)
            else:
                _write(model, label, changes, result)


def _count(result: Result, label: str, changes) -> None:
    for _, new in changes:
        result.rows[label] += 1
        result.changed.update(f"{label}.{name}" for name in new)


def _write(model, label: str, changes, result: Result) -> None:
    """The batch's rows in one transaction; should one be refused (a unique value already there), the batch again
    with a savepoint per row, so that only that row stays as it was."""
    if not changes:
        return
    try:
        with transaction.atomic():
            for pk, new in changes:
                model._base_manager.filter(pk=pk).update(**new)
    except DatabaseError:
        pass
    else:
        _count(result, label, changes)
        return
    with transaction.atomic():
        for pk, new in changes:
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**new)
            except DatabaseError as exc:
                result.refused.append((label, pk, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                continue
            _count(result, label, [(pk, new)])
