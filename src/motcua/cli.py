"""The project's management commands answer a mistyped command line in Vietnamese.

Every command of the project subclasses ``motcua.cli.BaseCommand`` instead of Django's. Its parser turns
argparse's errors (a required argument missing, an unknown one, a value that is not a number or not among the
choices) into Vietnamese, on the command line (``manage.py X: lỗi: …``, exit status 2, after the usage line) as
through ``call_command`` (``CommandError``). What the commands print themselves is written in Vietnamese where it
is printed. ``--help`` reads in Vietnamese too: its section titles, and the help of Django's own options
(``--settings``, ``--verbosity``…), which Django writes in English without marking it for translation.
"""

from __future__ import annotations

import re
import sys

from django.core.management.base import BaseCommand as DjangoCommand
from django.core.management.base import CommandError, CommandParser

_TYPES = {"int": "một số nguyên", "float": "một số"}

# argparse's messages (Python 3.12), each with its Vietnamese; the first that matches is used
_MESSAGES = [
    (r"the following arguments are required: (?P<a>.+)", "thiếu tham số bắt buộc: {a}"),
    (r"unrecognized arguments: (?P<a>.+)", "tham số không hiểu được: {a}"),
    (r"one of the arguments (?P<a>.+) is required", "cần một trong các tham số: {a}"),
    (r"argument (?P<a>\S+): invalid choice: (?P<v>.+) \(choose from (?P<c>.+)\)",
     "tham số {a}: giá trị {v} không hợp lệ (chọn một trong: {c})"),
    (r"argument (?P<a>\S+): invalid (?P<t>\w+) value: (?P<v>.+)", "tham số {a}: {v} không phải {t}"),
    (r"argument (?P<a>\S+): expected one argument", "tham số {a} cần đúng một giá trị"),
    (r"argument (?P<a>\S+): expected at least one argument", "tham số {a} cần ít nhất một giá trị"),
    (r"argument (?P<a>\S+): expected at most one argument", "tham số {a} nhận nhiều nhất một giá trị"),
    (r"argument (?P<a>\S+): not allowed with argument (?P<b>\S+)", "không dùng tham số {a} cùng với {b}"),
    (r"argument (?P<a>\S+): ignored explicit argument (?P<v>.+)", "tham số {a} không nhận giá trị {v}"),
    (r"ambiguous option: (?P<a>\S+) could match (?P<b>.+)", "tham số {a} viết tắt chưa rõ: có thể là {b}"),
]


def vietnamese(message: str) -> str:
    for pattern, text in _MESSAGES:
        if m := re.fullmatch(pattern, message):
            found = m.groupdict()
            if "t" in found:
                found["t"] = _TYPES.get(found["t"], "giá trị hợp lệ")
            return text.format(**found)
    return message  # a command's own message (missing_args_message): already Vietnamese


# Django's own options (BaseCommand.create_parser, argparse's -h), by their dest
_BASE_HELP = {
    "help": "in hướng dẫn này rồi thoát",
    "version": "in số phiên bản rồi thoát",
    "verbosity": "mức chi tiết của thông báo: 0 = tối thiểu, 1 = bình thường, 2 = chi tiết, 3 = rất chi tiết",
    "settings": "mô-đun cấu hình Python, ví dụ \"motcua.settings\"; không ghi thì theo biến môi trường "
                "DJANGO_SETTINGS_MODULE",
    "pythonpath": "thư mục thêm vào đường dẫn tìm mô-đun Python, ví dụ \"/srv/motcua/src\"",
    "traceback": "in toàn bộ dấu vết lỗi khi lệnh dừng vì lỗi",
    "no_color": "không tô màu kết quả",
    "force_color": "luôn tô màu kết quả",
    "skip_checks": "bỏ qua bước kiểm tra hệ thống",
}


def _usage(text: str) -> str:
    return text.replace("usage:", "Cách dùng:", 1)


class VietnameseParser(CommandParser):
    def format_usage(self):
        return _usage(super().format_usage())

    def format_help(self):
        return _usage(super().format_help())

    def error(self, message):
        message = vietnamese(message)
        if self.called_from_command_line:
            sys.stderr.write(self.format_usage())
            self.exit(2, f"{self.prog}: lỗi: {message}\n")
        raise CommandError(f"Lỗi tham số: {message}")


class BaseCommand(DjangoCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = VietnameseParser  # Django builds a CommandParser; its subparsers take the same class
        parser._positionals.title, parser._optionals.title = "tham số", "tùy chọn"
        for action in parser._actions:
            if action.dest in _BASE_HELP:
                action.help = _BASE_HELP[action.dest]
        return parser
