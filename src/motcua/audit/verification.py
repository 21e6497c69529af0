"""Verify the audit trail: the chained part link by link in ``seq`` order, then every entry not chained yet.

A chained entry must have the next ``seq`` (a gap: an entry removed; a repeat: one inserted), point at the
previous entry's hash, carry the hash of its own content, and the chain hash of both. An entry not chained
yet (the window, audit.chainer) must carry the hash of its own content: an entry altered before the chainer
reached it is found as surely as one altered after. Removing an entry of the window leaves no trace in the
table: that is why the window is kept short and its age is reported (``verify_audit`` fails beyond its bound).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils import formats, timezone

from motcua.core.money import format_number

from .chainer import CONTENT, archived_segments, chain_start
from .hashing import GENESIS, content_hash, link_hash
from .models import AuditEntry

_COLUMNS = ("id", "seq", *CONTENT, "content_hash", "prev_hash", "hash")


@dataclass
class ChainReport:
    ok: bool
    checked: int
    head: str
    broken_id: int | None = None
    reason: str = ""
    anchors: int = 0
    pending: int = 0  # entries not chained yet (their content hashes checked)
    oldest_pending_at: object = None

    def window_message(self) -> str:
        if not self.pending:
            return "Mọi bản ghi đã được nối vào chuỗi."
        oldest = formats.date_format(timezone.localtime(self.oldest_pending_at), "d/m/Y H:i:s")
        return f"{format_number(self.pending)} bản ghi chưa được nối vào chuỗi (nội dung khớp mã băm), cũ nhất lúc {oldest}."

    def message(self) -> str:
        if self.ok:
            against = f", khớp {self.anchors} mốc neo" if self.anchors else ""
            return (f"Đã kiểm tra {self.checked} bản ghi nhật ký{against}: chuỗi băm toàn vẹn. "
                    f"Mã băm cuối: {self.head}. {self.window_message()}")
        where = f" tại bản ghi #{self.broken_id}" if self.broken_id is not None else ""
        return f"Chuỗi nhật ký bị phá vỡ{where}: {self.reason} (đã kiểm tra {self.checked} bản ghi)."


def _broken(row_seq, seq: int, prev_hash, prev: str, content, chash, stored) -> str:
    if row_seq > seq + 1:
        missing = f"số {seq + 1}" if row_seq == seq + 2 else f"số {seq + 1}–{row_seq - 1}"
        return f"thiếu bản ghi {missing} của chuỗi ngay trước bản ghi này (đã bị xóa)"
    if row_seq < seq + 1:
        return f"số thứ tự {row_seq} lặp lại hoặc lùi lại (bản ghi bị chèn vào chuỗi)"
    if prev_hash != prev:
        return "liên kết tới bản ghi trước không khớp (bản ghi trước đã bị xóa hoặc sửa)"
    if content_hash(*content) != chash:
        return "nội dung bản ghi đã bị sửa (mã băm nội dung không khớp)"
    if link_hash(prev, *content) != stored:
        return "nội dung bản ghi đã bị sửa (mã băm không khớp)"
    return ""


def _walk(rows, prev: str, seq: int, expect_head: str | None = None, anchored: dict | None = None,
          anchors_total: int = 0) -> ChainReport:
    """Check places, links, hashes and the anchors in ``anchored`` (entry id → Anchor; each must be met)."""
    anchored = dict(anchored or {})
    checked = 0
    seen_expected = expect_head is None
    for pk, row_seq, *content, chash, prev_hash, stored in rows:
        reason = _broken(row_seq, seq, prev_hash, prev, content, chash, stored)
        if reason:
            return ChainReport(False, checked, prev, pk, reason)
        anchor = anchored.pop(pk, None)
        if anchor is not None and anchor.hash != stored:
            return ChainReport(False, checked, prev, pk, f"khác với mốc neo số {anchor.seq} ({anchor.at}): chuỗi đã "
                               "bị viết lại từ bản ghi này hoặc trước đó")
        prev, seq = stored, row_seq
        checked += 1
        if not seen_expected and stored == expect_head:
            seen_expected = True
    if anchored:
        first = min(anchored.values(), key=lambda a: (a.chain_seq or 0, a.entry_id))
        return ChainReport(False, checked, prev, first.entry_id,
                           f"đã được neo (mốc số {first.seq}, {first.at}) nhưng không còn trong cơ sở dữ liệu: "
                           "nhật ký đã bị xóa hoặc cắt bớt")
    if not seen_expected:
        return ChainReport(False, checked, prev, None,
                           "không tìm thấy mã băm cuối đã lưu trước đó: các bản ghi mới nhất đã bị xóa")
    return ChainReport(True, checked, prev, anchors=anchors_total)


def _check_window(report: ChainReport, chunk_size: int) -> ChainReport:
    """Every entry not chained yet must carry its own content's hash."""
    rows = AuditEntry.objects.filter(seq__isnull=True).order_by("id").values_list("id", *CONTENT, "content_hash")
    for pk, *content, chash in rows.iterator(chunk_size=chunk_size):
        if content_hash(*content) != chash:
            return ChainReport(False, report.checked, report.head, pk,
                               "nội dung bản ghi chưa nối chuỗi đã bị sửa (mã băm nội dung không khớp)")
        report.checked += 1
        report.pending += 1
        report.oldest_pending_at = min(filter(None, (report.oldest_pending_at, content[0])))
    return report


def _inside(anchor, seq_end: int, id_end: int) -> bool:
    return anchor.chain_seq <= seq_end if anchor.chain_seq is not None else anchor.entry_id <= id_end


def verify_chain(expect_head: str | None = None, chunk_size: int = 2000, anchors=None,
                 seal_check=None) -> ChainReport:
    """Walk the chain in ``seq`` order, then the entries not chained yet; report the first that does not match.

    ``anchors``: audit.anchors.Anchor list; every anchored entry must still be there with its anchored hash.
    On PostgreSQL the walk crosses the table's time partitions. It starts at the genesis, or where the
    archived segments end (``archived_segments``): an anchor inside an archived segment was checked when that
    segment was detached (``audit.segments``), one on its last entry must equal its recorded last hash, and
    ``seal_check(segment)`` (given with anchors by ``verify_audit``) must accept the segment's signed record,
    so a forged archive record cannot hide deleted old entries.
    """
    anchored = {a.entry_id: a for a in anchors or ()}
    prev, seq = GENESIS, 0
    for seg in archived_segments():
        if seal_check is not None and not seal_check(seg):
            return ChainReport(False, 0, prev, seg.first_id,
                               f"hồ sơ lưu trữ phân vùng {seg.partition} không có chữ ký hợp lệ của khóa mốc neo "
                               "(bản ghi lưu trữ bị giả hoặc bị sửa): không thể tin các bản ghi cũ đã được tách")
        seq += seg.rows
        for entry_id in sorted(e for e, a in anchored.items() if _inside(a, seq, seg.last_id)):
            anchor = anchored.pop(entry_id)
            if entry_id == seg.last_id and anchor.hash != seg.last_hash:
                return ChainReport(False, 0, prev, entry_id,
                                   f"khác với mốc neo số {anchor.seq} ({anchor.at}): phân vùng {seg.partition} đã "
                                   "lưu trữ kết thúc bằng một mã băm khác")
        prev = seg.last_hash
    rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list(*_COLUMNS)
    report = _walk(rows.iterator(chunk_size=chunk_size), prev, seq, expect_head, anchored, len(anchors or ()))
    return _check_window(report, chunk_size) if report.ok else report


def verify_segment(partition: str, anchors=None) -> ChainReport:
    """Verify the entries of one partition table (PostgreSQL) as the next segment of the chain: all chained,
    a prefix of what is left (its newest id also its last place), links, hashes, every anchor up to the first
    entry that stays in the table, and that this entry follows the segment."""
    prev, after = chain_start()
    after_id = archived_segments()[-1].last_id if after else 0
    table = connection.ops.quote_name(partition)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FILTER (WHERE seq IS NULL), max(seq), "
                    f"(SELECT seq FROM {table} ORDER BY id DESC LIMIT 1) FROM {table}")
        unchained, last_seq, seq_of_last_id = cur.fetchone()
        if unchained:
            return ChainReport(False, 0, prev, None, f"{unchained} bản ghi của phân vùng chưa được nối vào chuỗi "
                               "(tiến trình chain_audit chưa chạy tới): hãy chờ rồi thử lại")
        cur.execute(f"SELECT min(seq) FROM {connection.ops.quote_name(AuditEntry._meta.db_table)} "
                    "WHERE tableoid <> to_regclass(%s) AND seq <= %s", [partition, last_seq or 0])
        interleaved = cur.fetchone()[0]
    if interleaved is not None or seq_of_last_id != last_seq:
        return ChainReport(False, 0, prev, None, "các bản ghi của phân vùng không phải là phần đầu của chuỗi (một "
                           "giao dịch ghi nhật ký kéo dài qua thời điểm chuyển tháng): chỉ tách được cùng phân vùng "
                           "tháng sau")
    following = (AuditEntry.objects.filter(seq__gt=last_seq or after).order_by("seq")
                 .values_list("id", "seq", "prev_hash").first())
    anchored = {a.entry_id: a for a in anchors or ()
                if (after < a.chain_seq and (following is None or a.chain_seq < following[1]) if a.chain_seq is not None
                    else after_id < a.entry_id and (following is None or a.entry_id < following[0]))}
    field = AuditEntry._meta.get_field("data")

    def rows(cur):
        for chunk in iter(lambda: cur.fetchmany(2000), []):
            for r in chunk:  # a plain cursor returns jsonb as text; the ORM path decodes it the same way
                yield (*r[:8], field.from_db_value(r[8], None, connection) if isinstance(r[8], str) else r[8], *r[9:])

    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(_COLUMNS)} FROM {table} ORDER BY seq")
        report = _walk(rows(cur), prev, after, anchored=anchored, anchors_total=len(anchored))
    if report.ok and following is not None and following[2] != report.head:
        return ChainReport(False, report.checked, report.head, following[0],
                           "liên kết tới bản ghi trước không khớp (bản ghi trước đã bị xóa hoặc sửa)")
    return report
