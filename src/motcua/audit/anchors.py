"""Anchors: signed checkpoints of the audit chain's head, kept outside the audit table.

The hash chain (audit.services) shows a row altered or removed *inside* the chain, but not the newest
rows deleted, nor the table emptied, nor the chain rewritten and re-hashed from some row on: the chain
that remains is intact. An anchor records, at a moment, "entry #id has hash H", signed, somewhere the
database cannot reach:

- ``write_anchor()`` (``manage.py anchor_audit``, run every few minutes) chains what is ready (audit.chainer)
  and signs the head of the chained part — entry #id, its place ``chain_seq`` and its hash — with the
  installation's Ed25519 audit key and appends one JSON line to ``MOTCUA_AUDIT_ANCHOR_DIR/anchors.jsonl``;
  the same anchor goes through the outbox as ``audit.anchor`` (subscribe a webhook of the province's log
  archive to it: the off-host copy);
- ``load()`` reads an anchor file back and refuses it when a line is altered (signature), removed
  (sequence numbers) or signed with another key;
- ``services.verify_chain(anchors=...)`` then requires every anchored entry to be present with its
  anchored hash (``manage.py verify_audit`` does this by default, through ``verify_with_anchors``);
- the same key seals the record of an audit partition detached for archiving (``seal``, audit.segments),
  and ``verify_with_anchors`` accepts an archived segment only with a valid seal.

Key choice: a dedicated Ed25519 key, ``MOTCUA_KEYS_DIR/audit-anchor.key`` (mode 0600; created by
``manage.py create_keys`` or at the first anchor), not the agencies' document-signing certificates, which
may live on tokens and rotate with people. The public key (``audit-anchor.pub``) can be handed to the
inspectorate: it checks anchors without being able to make them. What anchors cannot see: rows added
after the last anchor and then removed; an attacker holding both the data directory and the key can
rewrite the local file, which is why the outbox copy exists (``verify_audit --anchors COPY``).
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core.backup import BackupFolder, folders
from motcua.core.keyfiles import keys_dir, write_key_file
from motcua.outbox.services import emit as emit_event

from .chainer import ChainError, chain_pending
from .models import AuditEntry
from .services import verify_chain

ANCHOR_FILE = "anchors.jsonl"
KEY_FILE = "audit-anchor.key"
PUBLIC_KEY_FILE = "audit-anchor.pub"
TOPIC = "audit.anchor"


class AnchorError(Exception):
    """The anchor store cannot be trusted (altered, truncated, foreign key); the message is Vietnamese."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    entry_id: int
    hash: str
    at: str
    key_id: str
    signature: str = ""
    chain_seq: int | None = None  # the entry's place in the chain (anchors written before the chainer: none)

    def fields(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not (k == "chain_seq" and v is None)}

    def signed_body(self) -> bytes:
        body = {k: v for k, v in self.fields().items() if k != "signature"}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        return json.dumps(self.fields(), sort_keys=True, separators=(",", ":"))

    def follows(self, before: Anchor) -> bool:
        """Further along the chain than `before` (by place; by id between anchors written before the chainer)."""
        if self.chain_seq is not None and before.chain_seq is not None:
            return self.chain_seq > before.chain_seq
        return before.chain_seq is None and (self.chain_seq is not None or self.entry_id > before.entry_id)


# --- keys ----------------------------------------------------------------------------------------------------

def anchor_path() -> Path:
    return Path(settings.MOTCUA_AUDIT_ANCHOR_DIR) / ANCHOR_FILE


def create_signing_key() -> bool:
    """Write a new Ed25519 key pair under MOTCUA_KEYS_DIR unless one exists; True when written."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    if not write_key_file(keys_dir() / KEY_FILE, pem):
        return False
    (keys_dir() / PUBLIC_KEY_FILE).write_bytes(_public_pem(key.public_key()))
    return True


def signing_key() -> Ed25519PrivateKey:
    path = keys_dir() / KEY_FILE
    if not path.is_file():
        create_signing_key()
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key(path: Path | str | None = None) -> Ed25519PublicKey | None:
    """The key anchors are checked with: `path`, else audit-anchor.pub, else derived from the private key."""
    candidates = [Path(path)] if path else [keys_dir() / PUBLIC_KEY_FILE]
    for candidate in candidates:
        if candidate.is_file():
            return serialization.load_pem_public_key(candidate.read_bytes())
    if not path and (keys_dir() / KEY_FILE).is_file():
        return signing_key().public_key()
    return None


# --- writing -------------------------------------------------------------------------------------------------

def chained_head() -> tuple[int, str, int] | None:
    """(id, hash, seq) of the newest chained entry: what an anchor vouches for (the window is not anchored)."""
    return AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("id", "hash", "seq").first()


def write_anchor(*, emit: bool = True) -> Anchor | None:
    """Chain what is ready, sign the chain's head and append it to the anchor file (and the outbox); None when
    no entry was chained since the last anchor."""
    try:
        chain_pending()
    except ChainError as exc:  # the head was deleted or rewritten: anchoring it would vouch for that
        raise AnchorError(str(exc)) from exc
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, across processes
        head = chained_head()
        last = _last(path)
        if head is None or (last is not None and (last.entry_id == head[0] or (last.chain_seq or 0) >= head[2])):
            return None
        key = signing_key()
        unsigned = Anchor(seq=(last.seq + 1) if last else 1, entry_id=head[0], hash=head[1], chain_seq=head[2],
                          at=timezone.now().astimezone(dt.UTC).isoformat(), key_id=key_id(key.public_key()))
        anchor = Anchor(**{**asdict(unsigned),
                           "signature": base64.b64encode(key.sign(unsigned.signed_body())).decode()})
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(anchor.line() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    if emit:
        with transaction.atomic():
            emit_event(TOPIC, "audit", anchor.entry_id,
                       {**anchor.fields(), "public_key": _public_pem(key.public_key()).decode()})
    return anchor


def _last(path: Path) -> Anchor | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        tail = fh.read().decode("utf-8", "replace").strip().splitlines()
    try:
        return Anchor(**json.loads(tail[-1]))
    except (ValueError, TypeError, IndexError) as exc:
        raise AnchorError(f"Dòng cuối của tệp mốc neo {path} bị hỏng.") from exc


# --- reading -------------------------------------------------------------------------------------------------

def load(path: Path | str | None = None, public_key_path: Path | str | None = None) -> list[Anchor]:
    """Every anchor of the file, checked: signatures, the key, and sequence numbers 1, 2, 3… without a gap."""
    path = Path(path) if path else anchor_path()
    if not path.is_file():
        if path != anchor_path():
            raise AnchorError(f"Không tìm thấy tệp mốc neo {path}.")
        return []
    public = public_key(public_key_path)
    expected_id = key_id(public) if public else None
    anchors: list[Anchor] = []
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                anchor = Anchor(**json.loads(raw))
                signature = base64.b64decode(anchor.signature, validate=True)
            except (ValueError, TypeError) as exc:
                raise AnchorError(f"Dòng {number} của tệp mốc neo bị hỏng.") from exc
            if public is None:
                raise AnchorError("Không có khóa công khai để kiểm tra mốc neo (audit-anchor.pub).")
            if anchor.key_id != expected_id:
                raise AnchorError(f"Mốc neo số {anchor.seq} được ký bằng khóa khác ({anchor.key_id}).")
            try:
                public.verify(signature, anchor.signed_body())
            except InvalidSignature as exc:
                raise AnchorError(f"Chữ ký của mốc neo số {anchor.seq} không hợp lệ: tệp mốc neo đã bị sửa.") from exc
            if anchor.seq != len(anchors) + 1 or (anchors and not anchor.follows(anchors[-1])):
                raise AnchorError(f"Tệp mốc neo bị xóa hoặc chèn dòng trước mốc số {anchor.seq}.")
            anchors.append(anchor)
    return anchors


# --- archived segments (PostgreSQL time partitions, audit.segments) ----------------------------------------

SEALED_FIELDS = ("table", "partition", "range_from", "range_to", "rows", "first_id", "last_id", "last_hash")


def _sealed_body(fields: dict) -> bytes:
    return json.dumps({k: fields[k] for k in SEALED_FIELDS}, sort_keys=True, separators=(",", ":")).encode()


def seal(fields: dict) -> str:
    """Signature (base64) of an archive record of the audit table, by the anchor key."""
    return base64.b64encode(signing_key().sign(_sealed_body(fields))).decode()


def seal_valid(segment, public: Ed25519PublicKey | None) -> bool:
    if public is None or not segment.seal:
        return False
    try:
        public.verify(base64.b64decode(segment.seal, validate=True),
                      _sealed_body({k: getattr(segment, k) for k in SEALED_FIELDS}))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_with_anchors(anchor_list: list[Anchor], expect_head: str | None = None,
                        public_key_path: Path | str | None = None):
    """The whole chain against its anchors; an archived segment counts only with a valid seal."""
    public = public_key(public_key_path)
    return verify_chain(expect_head=expect_head, anchors=anchor_list, seal_check=lambda seg: seal_valid(seg, public))


# --- backups -------------------------------------------------------------------------------------------------

@folders.register("audit-anchors")
class AnchorFolder(BackupFolder):
    """Backups carry the anchors, and a restored installation is checked against them (core.backup)."""

    def path(self) -> Path:
        return anchor_path().parent

    def before_backup(self) -> None:
        write_anchor()  # the newest entries get an anchor that travels with this backup

    def note(self) -> dict:
        head = chained_head()
        return {"head": {"entry_id": head[0], "hash": head[1], "seq": head[2]} if head else None}

    def check_restored(self) -> tuple[str, list[str]]:
        try:
            chain = verify_with_anchors(load())
        except AnchorError as exc:
            return "", [str(exc)]
        return chain.message(), [] if chain.ok else [chain.message()]
