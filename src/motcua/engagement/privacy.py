"""What the public feedback channel may tell about other people (Decree 13/2023/ND-CP on personal data protection).

- ``named_dossier(user, code)`` — the dossier a sender names in a feedback item by its code, when the sender may see
  it (motcua.dossiers.access); else ``NotFound('dossier_not_found')``, one answer whether the code does not exist or
  is someone else's. Dossier codes are guessable (agency code, date, sequence) and the form asks neither a sign-in nor
  counts guesses: «not yours» told apart from «no such code» says which codes exist.
"""

from __future__ import annotations

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
