"""The public copy of the feedback items published before it existed (engagement.privacy.public_copy): until then
the Portal showed the text as sent, with whatever personal data the sender typed into it.

The masking is copied from motcua.engagement.privacy (automatic_copy, redact) at the time of writing, so that this
migration writes what it wrote then whatever that module becomes."""

import re
import unicodedata

from django.db import migrations

HIDDEN = "[đã ẩn]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.,+])(?:\+84[ .-]?|0)\d(?:[ .-]?\d){7,10}(?![\w])")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{9,}(?!\d)")
PUBLIC_FIELDS = {"public_title": "title", "public_content": "content", "public_answer": "answer"}


def _masked_name(name):
    words = name.split()
    return " ".join(words[:1] + [w[0] + "." for w in words[1:]])


def _literal(value):
    words = unicodedata.normalize("NFC", value or "").split()
    if not words or len("".join(words)) < 3:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def _redact(text, *, names=(), details=()):
    text = unicodedata.normalize("NFC", text or "")
    for value in sorted({d for d in details if d}, key=len, reverse=True):
        if pattern := _literal(value):
            text = pattern.sub(HIDDEN, text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if pattern := _literal(name):
            text = pattern.sub(_masked_name(unicodedata.normalize("NFC", name)), text)
    text = _EMAIL.sub(HIDDEN, text)
    text = _PHONE.sub(HIDDEN, text)
    return _LONG_NUMBER.sub(HIDDEN, text)


def _public_copy(fb):
    people = {"names": [fb.submitter_name, getattr(fb.dossier, "applicant_name", "") if fb.dossier_id else ""],
              "details": [fb.submitter_email, fb.submitter_address, fb.submitter_phone]}
    for public, sent in PUBLIC_FIELDS.items():
        setattr(fb, public, _redact(getattr(fb, sent), **people))
    fb.public_title = fb.public_title[:300]


def backfill(apps, schema_editor):
    Feedback = apps.get_model("engagement", "Feedback")
    for fb in Feedback.objects.filter(published_at__isnull=False).select_related("dossier").iterator(chunk_size=500):
        _public_copy(fb)
        fb.save(update_fields=["public_title", "public_content", "public_answer"])


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0006_feedback_public_copy"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
