"""The Vietnamese catalogue of framework strings is compiled and current, and every command a message names exists."""

import gettext
import re
from pathlib import Path

from django.core.management import get_commands
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "motcua" / "locale" / "vi" / "LC_MESSAGES"


def _po_entries(text: str) -> list[dict]:
    """msgctxt/msgid/msgid_plural/msgstr of each entry of a .po file (the subset of the format we write)."""
    entries, entry, key = [], {}, None
    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, value = line.split(" ", 1)
            entry[key] = _unquote(value)
    return [e for e in entries if e.get("msgid")]


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s[1:-1])


def test_the_compiled_catalogue_holds_every_translation_of_the_source():
    with open(LOCALE / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    entries = _po_entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 100
    for e in entries:
        translated = e.get("msgstr", e.get("msgstr[0]"))
        if "msgctxt" in e:
            assert mo.pgettext(e["msgctxt"], e["msgid"]) == translated, e
        elif "msgid_plural" in e:
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 2) == translated, e
        else:
            assert mo.gettext(e["msgid"]) == translated, e


def test_django_strings_people_read_come_out_in_vietnamese():
    with translation.override("vi"):
        assert _("- Select an option -") == "- Chọn -"
        assert _("Skip to main content") == "Bỏ qua, đến nội dung chính"
        assert pgettext("Task", "Successful") == "Thành công"
        assert _("Task Results") == "kết quả tác vụ nền"


def test_the_length_and_range_checks_of_a_form_read_plain_vietnamese():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField(max_length=5, min_length=2)
        days = forms.IntegerField(min_value=1, max_value=30)

    with translation.override("vi"):
        assert Form({"name": "Nguyễn", "days": "31"}).errors == {
            "name": ["Không được dài quá 5 ký tự (đang có 6 ký tự)."], "days": ["Giá trị phải nhỏ hơn hoặc bằng 30."]}
        assert Form({"name": "A", "days": "0"}).errors == {
            "name": ["Cần ít nhất 2 ký tự (đang có 1 ký tự)."], "days": ["Giá trị phải lớn hơn hoặc bằng 1."]}


def test_a_code_typed_with_diacritics_is_refused_in_vietnamese():
    from django import forms
    from django.core.exceptions import ValidationError

    with translation.override("vi"):
        for field in (forms.SlugField(), forms.SlugField(allow_unicode=True)):
            try:
                field.clean("mã có dấu cách")
            except ValidationError as refused:
                assert refused.messages[0].startswith("Mã chỉ gồm chữ cái"), refused.messages
            else:
                raise AssertionError("a code with spaces was taken")


COMMAND = re.compile(r"manage\.py ([a-z][a-z0-9_]+)|lệnh `?([a-z]+_[a-z0-9_]+)")
NOT_COMMANDS = {"in"}  # "manage.py in this environment" (a docstring of scripts/ha)


def test_every_command_a_message_or_a_document_names_exists():
    commands = set(get_commands())
    named = {}
    for folder in ("src", "scripts", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".sh", ".md", ".txt") and path.is_file():
                for m in COMMAND.finditer(path.read_text(encoding="utf-8", errors="ignore")):
                    named.setdefault(m.group(1) or m.group(2), path.relative_to(ROOT))
    for extra in ("README.md", "Makefile"):
        for m in COMMAND.finditer((ROOT / extra).read_text(encoding="utf-8")):
            named.setdefault(m.group(1) or m.group(2), extra)
    assert "setup_demo" in named
    missing = {name: str(where) for name, where in named.items() if name not in commands | NOT_COMMANDS}
    assert not missing, f"lệnh không tồn tại: {missing}"
