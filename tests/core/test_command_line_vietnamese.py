"""An operator at the command line reads Vietnamese: the commands' own output, and argparse's errors for a mistyped
command line (motcua.cli), both through call_command and on a real command line."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from motcua.cli import BaseCommand
from tests.vietnamese import problems

ROOT = Path(__file__).resolve().parents[2]


def _project_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app.startswith("motcua")}


def test_every_project_command_answers_a_mistyped_line_in_vietnamese():
    commands = _project_commands()
    assert len(commands) >= 28
    assert [name for name, app in commands.items() if not isinstance(load_command_class(app, name), BaseCommand)] == []


@pytest.mark.parametrize("args, message", [
    (["partitions"], "Lỗi tham số: thiếu tham số bắt buộc: action"),
    (["partitions", "xoa"], "Lỗi tham số: tham số action: giá trị 'xoa' không hợp lệ (chọn một trong: 'list', "
                            "'create', 'detach')"),
    (["normalize_text", "--batch", "mot"], "Lỗi tham số: tham số --batch: 'mot' không phải một số nguyên"),
    (["unlock_login", "congdan"], "Lỗi tham số: tham số không hiểu được: congdan"),
    (["reorganize_units", "--dry-run", "--apply"], "Lỗi tham số: không dùng tham số --apply cùng với --dry-run"),
    (["export_plan", "--unit"], "Lỗi tham số: tham số --unit cần đúng một giá trị"),
])
def test_a_mistyped_line_is_refused_in_vietnamese(args, message):
    with pytest.raises(CommandError) as refused:
        call_command(*args)
    assert str(refused.value) == message


def test_on_the_command_line_the_refusal_is_vietnamese_with_the_usage_and_status_2():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MOTCUA_DEMO": "1"}
    done = subprocess.run([sys.executable, "manage.py", "normalize_text", "--batch", "mot"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("Cách dùng: manage.py normalize_text")
    assert done.stderr.rstrip().endswith("manage.py normalize_text: lỗi: tham số --batch: 'mot' không phải một số "
                                         "nguyên")


ENGLISH = {"the", "and", "of", "to", "every", "this", "only", "with", "for", "seconds", "default", "keep", "drop",
           "read", "than", "older", "show", "message", "exit", "usage", "options", "positional", "arguments"}


def test_every_project_command_explains_itself_in_vietnamese():
    """--help: the command's description and options, Django's own options and argparse's section titles."""
    commands = _project_commands()
    found = {}
    for name, app in commands.items():
        text = load_command_class(app, name).create_parser("manage.py", name).format_help()
        text = re.sub(r"--?[\w-]+(?: [A-Z_]+| \{[^}]*\})?|\{[^}]*\}", "", text)  # options, metavars, choices as typed
        if problems_ := problems(text, allow=set(get_commands()) | {"H51.02", "audit_auditentry_p202501"},
                                 extra=ENGLISH):
            found[name] = sorted({token for token, _ in problems_})
    assert found == {}


# what the commands print on a database with nothing to do, or refuse for a missing file or account
OUTPUT = [
    ("verify_audit", []), ("anchor_audit", []), ("chain_audit", ["--once"]), ("dispatch_outbox", ["--once"]),
    ("consume_events", []), ("partitions", ["list"]), ("sweep_orphan_files", []), ("reconcile_payments", []),
    ("send_dx_reminders", []), ("move_to_successors", []), ("create_keys", []),
    ("unlock_login", ["--username", "khong-co"]), ("create_api_token", ["khong-co", "Khóa thử"]),
    ("normalize_text", ["--dry-run"]), ("import_catalog", ["{tmp}/khong-co.json"]),
    ("import_plan", ["--unit", "51", "--year", "2026", "{tmp}/khong-co.xlsx"]),
    ("export_plan", ["--unit", "51", "--year", "2026", "--output", "{tmp}/ke-hoach.xlsx"]),
    ("backup", ["{tmp}/sao-luu"]), ("restore", ["{tmp}/khong-co"]),
]


def _partition_names() -> set[str]:
    from django.db import connection

    from motcua.db import partitions

    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cur:
        return {name for spec in partitions.SPECS.values()
                for name in [spec.table, *(part["name"] for part in partitions.partitions(cur, spec.table))]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name, args", OUTPUT, ids=[name for name, _ in OUTPUT])
def test_what_a_command_prints_is_vietnamese(name, args, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *[a.format(tmp=tmp_path) for a in args], stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
    text = re.sub(r"(?<!\w)/\S+", "", out.getvalue() + "\n" + err.getvalue())  # file paths are the operator's own
    assert text.strip()
    # typed as they are: a command named to run next, an agency code given as an example of what to type, the
    # partitions an operator detaches by name
    found = problems(text, allow=set(_project_commands()) | {"H51.02"} | _partition_names())
    assert not found, f"{name}: {found}\n{text}"
    print(f"{name}: {text.strip()[:200]!r}")
