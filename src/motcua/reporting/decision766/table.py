"""The Decision 766 table (data/decision766.json) and one scored sub-indicator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from motcua.core.money import format_number

from ..indicators import format_percent

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "decision766.json"
NO_DATA = "không có dữ liệu"


@cache
def load_table(path: str | None = None) -> dict:
    data = json.loads(Path(path or DATA_FILE).read_text(encoding="utf-8"))
    groups = {g["code"]: g for g in data["groups"]}
    # Decision 766/QĐ-TTg: five groups, 100 points (18/20/22/22/18).
    if sum(g["max"] for g in groups.values()) != 100:
        raise ValueError("766 groups must total 100 points")
    for g in groups.values():
        total = sum(i["max"] for i in data["indicators"] if i["group"] == g["code"])
        if total != g["max"]:
            raise ValueError(f"766 group {g['code']} sub-indicators total {total}, expected {g['max']}")
    return data


@dataclass
class Score:
    code: str
    group: str
    name: str
    max: float
    full_at: float
    rate: float | None  # 0..1, None = no data / not applicable
    numerator: int | None
    denominator: int | None
    score: float | None
    note: str = ""
    source: str = ""
    formula: str = ""
    lost: int | None = None  # dossiers / procedures / feedback items that lowered it (None: not counted)
    text: str = ""  # what a tracking-only row shows instead of points
    lost_word: str = "hồ sơ"  # what ``lost`` counts: hồ sơ, thủ tục, phản ánh
    lost_kind: str = "dossiers"  # the same for a program: dossiers, procedures, feedback (losses.kind_of)

    @property
    def measured(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict:
        return {"code": self.code, "group": self.group, "name": self.name, "max": self.max, "full_at": self.full_at,
                "rate": self.rate, "numerator": self.numerator, "denominator": self.denominator,
                "score": self.score, "status": "ok" if self.measured else "no_data", "note": self.note,
                "source": self.source, "formula": self.formula, "lost": self.lost,
                "lost_text": f"{self.lost} {self.lost_word}" if self.lost else "", "lost_kind": self.lost_kind,
                "display": self.display}

    @property
    def display(self) -> str:
        if self.score is None:
            return NO_DATA
        if self.text:
            return self.text
        rate = format_percent(self.rate) if self.rate is not None else "—"
        return f"{format_number(self.score, 2)}/{format_number(self.max, 0)} điểm ({rate})"
