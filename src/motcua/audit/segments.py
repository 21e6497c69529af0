"""The audit trail's side of archiving an old time partition (PostgreSQL; ``manage.py partitions detach``).

``motcua.db.partitions`` sits below every app and names this module in its table spec instead of importing
it. Before a partition of the audit table is detached, ``check`` verifies it as the next segment of the chain
(every entry chained, a prefix of the chain, links, hashes, and every signed anchor up to its last entry); then ``seal`` signs the archive record
(partition, id range, row count, last hash) with the installation's anchor key (audit.anchors). The entries
left in the table continue from that record's last hash, and ``verify_audit`` accepts the record only with
a valid seal: whoever can write to the database but does not hold the key cannot delete the oldest
entries and pass them off as archived.
"""

from __future__ import annotations

from . import anchors
from .chainer import ChainError, chain_pending
from .services import ChainReport, verify_segment


def verify(partition: str) -> ChainReport:
    """The partition as the chain's next segment, against the installation's anchors (what is ready to be
    chained is chained first: an old month's entries normally are already)."""
    try:
        chain_pending()
        problem = ""
    except ChainError as exc:  # the chain's head was tampered with: say so unless the segment shows worse
        problem = str(exc)
    try:
        loaded = anchors.load()
    except anchors.AnchorError as exc:
        return ChainReport(False, 0, "", None, str(exc))
    report = verify_segment(partition, anchors=loaded)
    return ChainReport(False, report.checked, report.head, None, problem) if report.ok and problem else report


def check(partition: str) -> str:
    report = verify(partition)
    return "" if report.ok else report.message()


def seal(fields: dict) -> str:
    return anchors.seal(fields)
