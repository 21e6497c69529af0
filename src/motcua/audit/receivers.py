"""Entries for acts of the layers below the audit app, which may not import it: they send a signal, recorded here
(connected by AuditConfig.ready)."""

from __future__ import annotations

from collections import Counter

from .services import record

COMMAND_LINE = "quản trị hệ thống (dòng lệnh)"


def text_normalized(sender, result, complete: bool, **kwargs) -> None:
    """One entry per run of ``manage.py normalize_text`` that writes (core.nfc_rewrite): rows rewritten per table and
    per field, rows left as they were per table, tables visited, rows read; never the rows themselves."""
    refused = Counter(label for label, _pk, _error in result.refused)
    record(COMMAND_LINE, "core.text_normalized", "database", "text", {
        "tables": dict(sorted(result.rows.items())), "fields": dict(sorted(result.changed.items())),
        "refused": dict(sorted(refused.items())), "tables_visited": result.tables,
        "rows_read": sum(result.scanned.values()), "complete": complete})
