"""Which circular numbers and names the one-stop forms: the one mapping used by every slip.

A dossier keeps the rules in force on the day it was received (``Dossier.rule_version``), so its
slips keep that circular's numbering even after the law changed (LEGAL.md §0, §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

RECEIPT = "receipt"
SUPPLEMENT = "supplement"
REFUSAL = "refusal"
APOLOGY = "apology"
CONTROL_SHEET = "control_sheet"
KINDS = (RECEIPT, SUPPLEMENT, REFUSAL, APOLOGY, CONTROL_SHEET)

LEGACY_RULE_VERSION = "decree61_2018"  # the value Dossier.rule_version holds for Decree 61/2018 dossiers


@dataclass(frozen=True)
class FormSpec:
    number: str
    title: str
    circular: str

    @property
    def caption(self) -> str:
        return f"Mẫu số {self.number} — {self.circular}"


_C01 = "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ"
_C03 = "Thông tư số 03/2025/TT-VPCP ngày 15/09/2025 của Văn phòng Chính phủ"

# Circular 01/2018/TT-VPCP, annex Mẫu 01–05 (forms; Mẫu 06 is the tracking book) — LEGAL.md §2.1 [A].
CIRCULAR_01_2018 = {
    RECEIPT: FormSpec("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _C01),
    SUPPLEMENT: FormSpec("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _C01),
    REFUSAL: FormSpec("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _C01),
    APOLOGY: FormSpec("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", _C01),
    CONTROL_SHEET: FormSpec("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _C01),
}

# Circular 03/2025/TT-VPCP, Annex I (as reported, LEGAL.md §2.1 [?]): Mẫu 04 becomes the apology
# and request to extend, Mẫu 05 the notice of stopping, the control sheet moves to Mẫu 06.
CIRCULAR_03_2025 = {
    RECEIPT: FormSpec("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _C03),
    SUPPLEMENT: FormSpec("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _C03),
    REFUSAL: FormSpec("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _C03),
    APOLOGY: FormSpec("04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", _C03),
    CONTROL_SHEET: FormSpec("06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _C03),
}


def form_for(kind: str, rule_version: str | None) -> FormSpec:
    forms = CIRCULAR_01_2018 if rule_version == LEGACY_RULE_VERSION else CIRCULAR_03_2025
    return forms[kind]
