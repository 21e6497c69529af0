"""What a dossier's fees and charges come to, per procedure and channel, with the reason when it is less.

There is no general national reduction for submitting online (LEGAL.md §4): a reduction is set per procedure
or sector, by a Ministry of Finance circular or by the province's People's Council for local fees. So the
catalog carries, per procedure, the online amount and the text that sets it (``fee_online_basis``), and every
page and paper that shows a fee reads it from ``quote`` — never its own arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.core.money import format_number, format_vnd

ONLINE = "online"


@dataclass(frozen=True)
class FeeQuote:
    base_vnd: int  # the procedure's fee at the counter
    amount_vnd: int  # what this channel pays
    basis: str = ""  # the legal text of the online amount, as the catalog records it

    @property
    def reduced(self) -> bool:
        return 0 <= self.amount_vnd < self.base_vnd

    @property
    def percent(self) -> str:
        """The reduction in per cent, Vietnamese format (50; 33,3)."""
        share = (self.base_vnd - self.amount_vnd) * 100 / self.base_vnd if self.base_vnd else 0
        return format_number(share, 0 if share == int(share) else 1)

    @property
    def explanation(self) -> str:
        """'Lệ phí 15.000 đ, giảm 50 % khi nộp trực tuyến theo …: còn 7.500 đ' — empty when nothing is reduced."""
        if not self.reduced:
            return ""
        source = f"theo {self.basis}" if self.basis else "theo mức phí nộp trực tuyến của thủ tục (chưa ghi căn cứ)"
        return (f"Lệ phí {format_vnd(self.base_vnd)}, giảm {self.percent} % khi nộp trực tuyến {source}: "
                f"còn {format_vnd(self.amount_vnd)}")


def quote(procedure, channel: str) -> FeeQuote:
    """The fee of `procedure` for a dossier coming through `channel` (online, counter, post)."""
    # LEGAL.md §4 (Circular 44/2023/TT-BTC and the like; HĐND resolutions): the online amount is the
    # procedure's own, configured with its basis; other channels pay the ordinary fee.
    if channel == ONLINE and procedure.fee_online_vnd is not None:
        return FeeQuote(procedure.fee_vnd, procedure.fee_online_vnd, (procedure.fee_online_basis or "").strip())
    return FeeQuote(procedure.fee_vnd, procedure.fee_vnd)
