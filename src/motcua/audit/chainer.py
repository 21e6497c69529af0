"""The chainer: links the audit entries into one hash chain, in batches, off the writers' commit path.

A writer (``services.record``) only inserts its entry with the hash of its own content. The chainer
(``manage.py chain_audit``, one process; a second one waits on the same lock) takes entries that have no
place yet, in batches of ``batch`` entries, and in one transaction per batch gives each the next ``seq``,
``prev_hash`` = the chain hash of the entry before and ``hash`` = SHA-256(prev_hash + content) (audit.hashing).

Nothing is skipped, nothing is chained twice:

- On PostgreSQL a trigger stores the inserting transaction's id in ``txid``. A batch first reads the id of the
  oldest transaction still open in this database (``oldest_open``: ``pg_current_snapshot()`` and
  ``pg_stat_activity``; a long transaction in another database of the cluster does not hold the chain
  back), then, in the next statement, takes only entries whose transaction is older: those transactions
  had all ended, so every entry they wrote is visible now and none can appear later with a smaller ``txid``. Entries are chained in ``(txid, id)`` order; an entry whose transaction is still
  open waits for the next batch after its commit. (The chainer's own transaction is the one exception: its
  entries are visible to it. In production it writes none; a test or a command that records and then
  chains inside one transaction needs it.)
- A batch is one transaction, under a transaction-scoped advisory lock taken by chainers only: it commits
  whole or not at all. The next batch starts from the entry with the highest ``seq``, so a chainer killed
  (even by kill -9) and restarted continues where the last committed batch ended. The UPDATE only touches
  rows still without ``seq``, and the batch rolls back if any of them already has one.
- On SQLite (one writer at a time, ``BEGIN IMMEDIATE``) ``record`` chains the entry itself in its own
  transaction (``MOTCUA_AUDIT_CHAIN_INLINE``, default: on for SQLite, off for PostgreSQL); the chainer then
  finds nothing to do, or chains what was written with inline chaining off.

Waking: while the chainer sleeps it sets ``ChainerState.waiting``; the insert trigger then sends
``NOTIFY audit_pending``, which wakes it at the writer's commit. A busy chainer does not sleep, and the
writers send no NOTIFY (whose commit-time lock would serialize them). Without a notification it looks
again every ``poll`` seconds (and every 0,2 s while entries of still-open transactions wait).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .hashing import GENESIS, link_hash
from .models import AuditEntry, ChainerState

LOCK_KEY = 7246002  # pg_advisory_xact_lock of the chainers (7246001 was the writers' lock before the chainer)
CHANNEL = "audit_pending"
DEFAULT_BATCH = 500
# Under a steady load a batch that took all that was ready lets this much time gather the next: without the pause the
# chainer took a handful of entries per transaction (about 12 at 200 transitions/s), each batch paying its advisory
# lock, the oldest-open read, the head and the state (bench/lifecycle.md, 04/12/2026).
GATHER_S = 0.2
CONTENT = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "data")
_OWN = "pg_current_xact_id_if_assigned()::text::bigint"
# The oldest transaction still open in this database (other databases of the cluster do not write here), as
# a 64-bit id: the running ids of the snapshot whose low 32 bits are a backend_xid of this database; none
# open: the first id not yet given out. Read in a statement of its own, before the one that reads the entries.
_OLDEST_OPEN = """
SELECT coalesce(min(x::text::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
FROM pg_snapshot_xip(pg_current_snapshot()) AS x
WHERE (x::text::bigint & 4294967295) IN (
    SELECT backend_xid::text::bigint FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)
"""


class ChainError(Exception):
    """A batch found the chain in a state it must not touch; the message is Vietnamese."""


def inline() -> bool:
    """Does ``record`` chain its entry itself (SQLite's single writer), or leave it to the chainer? Never on
    PostgreSQL, where writers run side by side and only the chainer may read the head and extend it."""
    if connection.vendor == "postgresql":
        return False
    value = settings.MOTCUA_AUDIT_CHAIN_INLINE
    return True if value is None else bool(value)


# --- where the chain in the table starts --------------------------------------------------------------------

def archived_segments() -> list:
    """The audit trail's partitions detached for archiving (``manage.py partitions detach``, PostgreSQL), oldest
    first: each ends the chain at (``last_id``, ``last_hash``), where the entries left in the table go on."""
    from motcua.db.models import ArchivedPartition

    return list(ArchivedPartition.objects.filter(table=AuditEntry._meta.db_table, last_id__isnull=False)
                .order_by("last_id"))


def chain_start() -> tuple[str, int]:
    """(hash, seq) the chain in the table continues from: the genesis, or the end of the archived segments
    (only whole, chained prefixes of the chain are archived, so their rows count the places before)."""
    segments = archived_segments()
    return (segments[-1].last_hash, sum(s.rows for s in segments)) if segments else (GENESIS, 0)


def head() -> tuple[int, str]:
    """(seq, hash) of the newest chained entry, or where the table's chain starts."""
    row = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    if row is not None:
        return row
    start_hash, start_seq = chain_start()
    return start_seq, start_hash


# --- chaining -----------------------------------------------------------------------------------------------

def oldest_open() -> int:
    """Id of the oldest transaction still open in this database (PostgreSQL). Any transaction with a smaller
    id had ended when this was read, so the entries it wrote are visible to every later statement."""
    with connection.cursor() as cur:
        cur.execute(_OLDEST_OPEN)
        return cur.fetchone()[0]


def _ready():
    pending = AuditEntry.objects.filter(seq__isnull=True)
    if connection.vendor == "postgresql":  # transactions older than every open one, and our own
        pending = pending.filter(Q(txid__isnull=True) | Q(txid__lt=oldest_open()) | Q(txid=RawSQL(_OWN, ())))
    return pending.order_by("txid", "id")  # the partial index audit_unchained_idx, in its order


def _store(ids, seqs, prevs, hashes) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
                        "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
                        "AS v(id, seq, prev_hash, hash) WHERE e.id = v.id AND e.seq IS NULL",
                        [ids, seqs, prevs, hashes])
            done = cur.rowcount
        else:
            done = 0
            for row in zip(seqs, prevs, hashes, ids, strict=True):
                cur.execute(f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
                            row)
                done += cur.rowcount
    if done != len(ids):
        raise ChainError(f"Chỉ nối được {done}/{len(ids)} bản ghi nhật ký của lô: có bản ghi đã được nối bởi "
                         "tiến trình khác; lô bị hủy, không có gì thay đổi.")


def chain_batch(limit: int = DEFAULT_BATCH) -> int:
    """Chain up to `limit` ready entries in one transaction; returns how many."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        rows = list(_ready().values_list("id", *CONTENT)[:limit])
        if not rows:
            return 0
        seq, prev = head()
        _check_head(seq, prev)
        ids, seqs, prevs, hashes = [], [], [], []
        for pk, *content in rows:
            seq += 1
            new = link_hash(prev, *content)
            ids.append(pk), seqs.append(seq), prevs.append(prev), hashes.append(new)
            prev = new
        _store(ids, seqs, prevs, hashes)
        ChainerState.objects.update_or_create(pk=1, defaults={"head_seq": seq, "head_hash": prev,
                                                              "seen_at": timezone.now()})
    return len(rows)


def _check_head(seq: int, prev: str) -> None:
    """Refuse to go on from a head other than the one the last batch left: the newest chained entries were
    deleted (or rewritten), and chaining over the hole would hide it from the chain (the anchors would still
    show it)."""
    state = ChainerState.objects.filter(pk=1).values_list("head_seq", "head_hash").first()
    if state and state[0] is not None and (seq < state[0] or (seq == state[0] and prev != state[1])):
        raise ChainError(f"Đầu chuỗi nhật ký là bản ghi số {seq}, nhưng lô nối trước đã kết thúc ở bản ghi số "
                         f"{state[0]} ({state[1][:16]}…): các bản ghi mới nhất đã bị xóa hoặc sửa. Tiến trình nối "
                         "chuỗi dừng lại; hãy chạy manage.py verify_audit và điều tra.")


def chain_pending(limit: int = DEFAULT_BATCH) -> int:
    """Chain every entry ready now, batch after batch; returns how many."""
    total = 0
    while True:
        done = chain_batch(limit)
        total += done
        if done < limit:
            return total


# --- the window: entries not chained yet ----------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    count: int
    oldest_at: object = None  # datetime of the oldest entry not chained yet

    def age_s(self) -> float:
        return max(0.0, (timezone.now() - self.oldest_at).total_seconds()) if self.oldest_at else 0.0


def window() -> Window:
    found = AuditEntry.objects.filter(seq__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    return Window(found["n"], found["oldest"])


def window_bound_s() -> float:
    return float(settings.MOTCUA_AUDIT_CHAIN_WINDOW_S)


# --- the chainer process ---------------------------------------------------------------------------------------

def _state(waiting: bool) -> None:
    ChainerState.objects.update_or_create(pk=1, defaults={"waiting": waiting, "seen_at": timezone.now()})


def mark_ran() -> None:
    """A one-off run (``chain_audit --once``) ran now: verify_audit shows it. ``waiting`` is left as it is: a
    chainer process may be sleeping on its NOTIFY at the same time."""
    ChainerState.objects.update_or_create(pk=1, defaults={"seen_at": timezone.now()})


def last_seen():
    return ChainerState.objects.filter(pk=1).values_list("seen_at", flat=True).first()


class Listener:
    """A connection of its own that LISTENs on ``audit_pending`` (PostgreSQL, not through a transaction pooler,
    where LISTEN cannot work: there the chainer polls)."""

    def __init__(self):
        self.conn = None
        self.asleep: bool | None = None  # what this process last wrote to ChainerState.waiting (None: nothing yet)

    def usable(self) -> bool:
        return connection.vendor == "postgresql" and not settings.MOTCUA_DB_TRANSACTION_POOLING

    def wait(self, timeout: float) -> None:
        if not self.usable():
            time.sleep(timeout)
            return
        try:
            if self.conn is None or self.conn.closed:
                self.conn = connection.get_new_connection(connection.get_connection_params())
                self.conn.autocommit = True
                self.conn.execute(f"LISTEN {CHANNEL}")
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception:  # noqa: BLE001 - a lost listening connection: poll this time, reconnect next time
            self.close()
            time.sleep(timeout)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def step(listener: Listener, batch: int, poll: float) -> int:
    """Chain what is ready; when nothing is left, sleep until a NOTIFY or `poll` seconds. Returns how many. After a
    last batch smaller than `batch` (all that was ready) it pauses ``GATHER_S`` so that the next one gathers more;
    each batch records when the chainer was last seen (``chain_batch``)."""
    done = chain_pending(batch)
    if done:
        if listener.asleep is not False:  # the state may still say asleep (a chainer stopped while it slept):
            _state(False)  # the writers would go on sending NOTIFY
            listener.asleep = False
        if done % batch:
            time.sleep(GATHER_S)
        return done
    if window().count:  # entries of transactions still open (or younger than one still open)
        time.sleep(min(poll, 0.2))
        return 0
    _state(True)
    listener.asleep = True
    done = chain_pending(batch)  # what committed before `waiting` was visible sent no NOTIFY
    if not done:
        listener.wait(poll)
    _state(False)
    listener.asleep = False
    return done
