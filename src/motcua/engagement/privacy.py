"""What the public feedback channel may tell about other people (Decree 13/2023/ND-CP on personal data protection).

- ``named_dossier(user, code)`` — the dossier a sender names in a feedback item by its code, when the sender may see
  it (motcua.dossiers.access); else ``NotFound('dossier_not_found')``, one answer whether the code does not exist or
  is someone else's. Dossier codes are guessable (agency code, date, sequence) and the form asks neither a sign-in nor
  counts guesses: «not yours» told apart from «no such code» says which codes exist.
- ``public_copy(fb)`` — fills ``public_title``, ``public_content``, ``public_answer``: what the Portal and
  ``GET /api/v1/engagement/feedback/public`` show and search once the answer is published. The text as sent stays
  for the officers. In the copy, by ``redact(text, names=..., details=...)``: the sender's name (and the applicant's
  of the dossier named) becomes «Võ T. L.»; the sender's address and e-mail, every e-mail address, every phone number
  (0… or +84…, spaces, dots or dashes between the digits) and every run of 9 or more digits (ID numbers, accounts)
  become «[đã ẩn]». Neither a number in full nor its last digits: the last 4 are the public tracking's second factor.
"""

from __future__ import annotations

import re
import unicodedata

from motcua.core.errors import NotFound
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.models import Dossier

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
    """«Võ Thị Lan» → «Võ T. L.»: the family name and the initials of the others."""
    words = name.split()
    return " ".join(words[:1] + [w[0] + "." for w in words[1:]])


def _literal(value: str) -> re.Pattern | None:
    words = unicodedata.normalize("NFC", value or "").split()
    if not words or len("".join(words)) < 3:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def redact(text: str, *, names=(), details=()) -> str:
    """`text` with the given people's names masked, the given details and every e-mail, phone and ID number hidden."""
    text = unicodedata.normalize("NFC", text or "")
    for value in sorted({d for d in details if d}, key=len, reverse=True):
        if pattern := _literal(value):
            text = pattern.sub(HIDDEN, text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if pattern := _literal(name):
            text = pattern.sub(masked_name(unicodedata.normalize("NFC", name)), text)
    text = _EMAIL.sub(HIDDEN, text)
    text = _PHONE.sub(HIDDEN, text)
    return _LONG_NUMBER.sub(HIDDEN, text)


def public_copy(fb) -> None:
    """Set what the public sees of feedback item `fb` (not saved here). Decree 13/2023/ND-CP art. 11: publishing a
    person's data needs their consent, which the sender of a feedback item has not given."""
    names = [fb.submitter_name, getattr(fb.dossier, "applicant_name", "") if fb.dossier_id else ""]
    details = [fb.submitter_email, fb.submitter_address, fb.submitter_phone]
    fb.public_title = redact(fb.title, names=names, details=details)[:300]
    fb.public_content = redact(fb.content, names=names, details=details)
    fb.public_answer = redact(fb.answer, names=names, details=details)
