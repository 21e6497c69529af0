"""What the public feedback channel may tell about other people (Decree 13/2023/ND-CP on personal data protection).

- ``named_dossier(user, code)`` — the dossier a sender names in a feedback item by its code, when the sender may see
  it (motcua.dossiers.access); else ``NotFound('dossier_not_found')``, one answer whether the code does not exist or
  is someone else's. Dossier codes are guessable (agency code, date, sequence) and the form asks neither a sign-in nor
  counts guesses: «not yours» told apart from «no such code» says which codes exist.
- ``public_copy(fb)`` — fills ``public_title``, ``public_content``, ``public_answer``: what the Portal and
  ``GET /api/v1/engagement/feedback/public`` show and search once the answer is published. The text as sent stays
  for the officers. In the copy, by ``redact(text, names=..., details=...)``: the sender's name (and the applicant's
  of the dossier named) becomes «Võ T. L.», a name of one word its initial («Hà» → «H.»); the sender's address and
  e-mail, every e-mail address, every phone number
  (0… or +84…, spaces, dots or dashes between the digits) and every run of 9 or more digits (ID numbers, accounts)
  become «[đã ẩn]». Neither a number in full nor its last digits: the last 4 are the public tracking's second factor.
- ``automatic_copy(fb)`` — that copy as a dict (``public_title``, ``public_content``, ``public_answer``), not set:
  what the publish form shows the officer to read and edit first (a third person's name, a house address...).
- ``search_public(qs, q)`` — the published items whose public copy (title, content or answer) holds ``q``, or whose
  code it is: never the text as sent, so a search cannot tell which item holds someone's number or name.
- ``edited_copy(fb, public_title=..., ...)`` — what the officer changed in the copy, checked (not empty where the text as sent is not,
  the model's lengths; else ``ValidationFailed('feedback_public_copy_invalid')`` with a message per field) and masked
  again by ``redact``: a phone, an e-mail, an ID number or the sender's name typed back is hidden all the same.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q

from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.models import Dossier

from .common import MAX_CONTENT, clean_text

DOSSIER_NOT_FOUND = ("Không tìm thấy hồ sơ có mã đã nhập trong các hồ sơ của bạn. Để phản ánh về một hồ sơ, vui lòng "
                     "đăng nhập bằng tài khoản đã nộp hồ sơ đó.")


def named_dossier(user, code: str | None):
    """The dossier `code` names if `user` may see it; None for no code; else NotFound (the same for every code)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    dossier = Dossier.objects.select_related("procedure", "agency", "current_agency").filter(code=code[:64]).first()
    if dossier is None or not can_view_dossier(user, dossier):
        # Decree 13/2023/ND-CP art. 26: no one learns of another person's dossier from our answer
        raise NotFound("dossier_not_found", DOSSIER_NOT_FOUND, details={"dossier_code": DOSSIER_NOT_FOUND})
    return dossier


HIDDEN = "[đã ẩn]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number as people write it (0935 111 222, 0935.111.222, +84 935 111 222): 9 to 12 digits after the 0 or +84.
# An amount (1.500.000) does not start with 0, a date (01.12.2024) has 8 digits.
_PHONE = re.compile(r"(?<![\w.,+])(?:\+84[ .-]?|0)\d(?:[ .-]?\d){7,10}(?![\w])")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{9,}(?!\d)")  # 9 (old ID card) or 12 (citizen ID) digits, account numbers


def masked_name(name: str) -> str:
    """«Võ Thị Lan» → «Võ T. L.»: the family name and the initials of the others; a name of one word («Hà», «Lan»)
    has no family name to keep: its initial, «H.»."""
    words = name.split()
    if len(words) == 1:
        return words[0][0] + "."
    return " ".join(words[:1] + [w[0] + "." for w in words[1:]])


def _literal(value: str) -> re.Pattern | None:
    words = unicodedata.normalize("NFC", value or "").split()
    if not words or len("".join(words)) < 3:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def _name_pattern(name: str) -> re.Pattern | None:
    """Where a person's name is written. A name of one word is also an everyday word as often as not («an toàn»,
    «minh bạch», «bình thường», «quan tâm»): found written as a name, capitalized («Hà», «HÀ», «Minh»); a single
    letter is no name to find."""
    words = unicodedata.normalize("NFC", name or "").split()
    if len(words) == 1 and len(words[0]) >= 2:
        word = words[0]
        forms = {word[0].upper() + word[1:].lower(), word.upper()}
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(forms))) + r")(?!\w)")
    return _literal(name)


def redact(text: str, *, names=(), details=()) -> str:
    """`text` with the given people's names masked, the given details and every e-mail, phone and ID number hidden."""
    text = unicodedata.normalize("NFC", text or "")
    for value in sorted({d for d in details if d}, key=len, reverse=True):
        if pattern := _literal(value):
            text = pattern.sub(HIDDEN, text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if pattern := _name_pattern(name):
            text = pattern.sub(masked_name(unicodedata.normalize("NFC", name)), text)
    text = _EMAIL.sub(HIDDEN, text)
    text = _PHONE.sub(HIDDEN, text)
    return _LONG_NUMBER.sub(HIDDEN, text)


def _people(fb) -> dict:
    return {"names": [fb.submitter_name, getattr(fb.dossier, "applicant_name", "") if fb.dossier_id else ""],
            "details": [fb.submitter_email, fb.submitter_address, fb.submitter_phone]}


PUBLIC_FIELDS = {"public_title": "title", "public_content": "content", "public_answer": "answer"}
# The model's lengths (Feedback.public_title) and the sent text's (MAX_CONTENT)
PUBLIC_MAX = {"public_title": 300, "public_content": MAX_CONTENT, "public_answer": MAX_CONTENT}
PUBLIC_LABELS = {"public_title": "Tiêu đề công khai", "public_content": "Nội dung công khai",
                 "public_answer": "Kết quả xử lý công khai"}


def automatic_copy(fb) -> dict[str, str]:
    """What ``public_copy`` would set, as {"public_title": ..., "public_content": ..., "public_answer": ...}."""
    people = _people(fb)
    copy = {public: redact(getattr(fb, sent), **people) for public, sent in PUBLIC_FIELDS.items()}
    copy["public_title"] = copy["public_title"][:300]
    return copy


def public_copy(fb) -> None:
    """Set what the public sees of feedback item `fb` (not saved here). Decree 13/2023/ND-CP art. 11: publishing a
    person's data needs their consent, which the sender of a feedback item has not given."""
    for field, value in automatic_copy(fb).items():
        setattr(fb, field, value)


def search_public(qs, q: str):
    """``qs`` narrowed to the items whose public copy holds ``q`` (a citizen finds how a question was answered by the
    words of the answer) or whose code is ``q``; the text as sent is never searched (Decree 13/2023/ND-CP art. 26)."""
    q = unicodedata.normalize("NFC", q or "").strip()
    if not q:
        return qs
    found = Q(code__iexact=q)
    for field in PUBLIC_FIELDS:
        found |= Q(**{f"{field}__icontains": q})
    return qs.filter(found)


def edited_copy(fb, **texts) -> dict[str, str]:
    """The fields of the public copy an officer wrote (``public_title=``, ``public_content=``, ``public_answer=``; one
    not given or None keeps what ``fb`` holds) that differ from ``fb``'s, checked and masked again; not set. Decree 13/2023/ND-CP art. 11, as ``public_copy``: the
    officer removes what the automatic masking cannot find, never puts back what it hides."""
    errors, copy = {}, {}
    if all(texts.get(field) is None for field in PUBLIC_FIELDS):
        return copy
    for field, sent in PUBLIC_FIELDS.items():
        given = texts.get(field)
        text = unicodedata.normalize("NFC", clean_text(getattr(fb, field) if given is None else given))
        if field == "public_title":
            text = " ".join(text.split())
        if not text and getattr(fb, sent):
            errors[field] = f"Vui lòng nhập {PUBLIC_LABELS[field].lower()}."
        elif len(text) > PUBLIC_MAX[field]:
            errors[field] = f"{PUBLIC_LABELS[field]} không được dài quá {PUBLIC_MAX[field]} ký tự."
        copy[field] = redact(text, **_people(fb))[:PUBLIC_MAX[field]]
    if errors:
        raise ValidationFailed("feedback_public_copy_invalid", next(iter(errors.values())), details=errors)
    return {field: text for field, text in copy.items() if text != getattr(fb, field)}
