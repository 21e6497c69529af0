"""What a department's dossiers moving to its successor (dossiers.handover) says to people, in Vietnamese: to the
administrator (the admin's save, the department's admin page, ``manage.py move_to_successors``) and to the
successor's officers (above their work lists). handover.py decides what to say; these write it from the facts it
passes (names, counts, reasons), numbers as people read them (1.234)."""

from __future__ import annotations

from django.utils import timezone

from motcua.core.money import format_number
from motcua.core.text import first_few

# Dossiers named by code in what the administrator reads: those whose move was refused (``refused_moves``), those the
# successor could not keep (``cannot_keep``).
SHOWN = 5
# Why the move waits for the recording administrator: only this role moves dossiers between agencies (the guard of
# ``transfer_agency``), also said when the save itself is refused (``refusal_role``).
ONLY_PROVINCIAL = "chỉ tài khoản có vai trò quản trị cấp tỉnh mới chuyển được hồ sơ giữa các cơ quan"
# Why a handover is paused, in a few words for the successor's officers, when the recording administrator lost the role.
ROLE_LOST_SHORT = "tài khoản đã ghi nhận cơ quan kế thừa không còn quyền chuyển hồ sơ giữa các cơ quan"


def _n(count: int) -> str:
    return format_number(count, 0)


def named(d) -> str:
    """A dossier as the administrator's messages name it: its code, or a citizen's draft (none yet) by its number."""
    return d.code or f"bản nháp #{d.pk}"


# --- why a handover is paused (``blocker``), for the administrator, with the way it resumes -----------------------

def role_lost(actor) -> str:
    return (f"tài khoản {actor.get_full_name() or actor.username} ({actor.username}), người ghi nhận cơ quan kế "
            f"thừa, không còn vai trò quản trị cấp tỉnh ({ONLY_PROVINCIAL}). Việc chuyển tự tiếp tục khi tài "
            "khoản này được cấp lại vai trò, hoặc khi một quản trị viên cấp tỉnh khác nhận tiếp bằng lệnh "
            "manage.py move_to_successors --as <tên đăng nhập của mình>")


def successor_refuses(fact: str, successor_name: str) -> str:
    return (f"{fact}. Việc chuyển tự tiếp tục khi {successor_name} nhận lại hồ sơ chuyển đến; nếu "
            "không, hãy báo quản trị hệ thống")


# --- the department's admin page (``progress``) --------------------------------------------------------------------

def _moved(moved: int, successor_name: str, split: list[tuple[str, int]]) -> str:
    """«N hồ sơ chưa kết thúc sang X», or, when several successors took them (the move was re-pointed: ``split``, each
    successor's name and count, in order), how many went to each."""
    if not split:
        return f"{_n(moved)} hồ sơ chưa kết thúc sang {successor_name}"
    return f"{_n(moved)} hồ sơ chưa kết thúc ({', '.join(f'{_n(count)} sang {name}' for name, count in split)})"


def _left(left: int, successor_name: str, split: list[tuple[str, int]]) -> str:
    return f"còn {_n(left)} hồ sơ đang chờ chuyển" + (f" sang {successor_name}" if split else "")


def finished(moved: int, successor_name: str, at, split: list[tuple[str, int]] = ()) -> str:
    return (f"Hồ sơ: đã chuyển xong {_moved(moved, successor_name, split)} "
            f"(lúc {timezone.localtime(at):%H:%M %d/%m/%Y}).")


def paused(moved: int, left: int, successor_name: str, blocked: str, agency_name: str,
           split: list[tuple[str, int]] = ()) -> str:
    return (f"Hồ sơ: đã chuyển {_moved(moved, successor_name, split)}, {_left(left, successor_name, split)}. "
            f"Việc chuyển đang tạm dừng vì {blocked}. Các hồ sơ chưa chuyển vẫn ở {agency_name} "
            "nguyên vẹn (không hồ sơ nào chuyển dở).")


def moving(moved: int, left: int, successor_name: str, split: list[tuple[str, int]] = ()) -> str:
    return (f"Hồ sơ: đã chuyển {_moved(moved, successor_name, split)}, {_left(left, successor_name, split)} "
            "(chuyển dần trong nền, hồ sơ đến hạn trả trước chuyển trước; tải lại trang để cập nhật). Nếu số "
            "còn lại không giảm, hãy báo quản trị hệ thống kiểm tra tiến trình chạy nền (manage.py db_worker) hoặc "
            "chạy lệnh manage.py move_to_successors.")


def refused_moves(named_with_reasons: list[str]) -> str:
    """The dossiers still waiting whose move was refused, each «code (reason)»: a sentence that follows another."""
    return (f" Không chuyển được {_n(len(named_with_reasons))} hồ sơ: "
            f"{first_few(named_with_reasons, SHOWN, sep='; ')}. Các hồ sơ này còn ở cơ quan cũ và việc chuyển chưa "
            "xong: hãy xử lý riêng từng hồ sơ (hoặc báo quản trị hệ thống), rồi chạy lại lệnh manage.py "
            "move_to_successors.")


def refused_move(code: str, reason: str) -> str:
    return f"{code} ({reason.rstrip('.')})"


# --- the successor's officers, above their work lists (``arriving``) -----------------------------------------------

def arriving_paused(count: int, old_name: str, successor_name: str, because: str) -> str:
    return (f"Việc chuyển {_n(count)} hồ sơ chưa kết thúc từ {old_name} sang {successor_name} đang tạm "
            f"dừng: {because}. Lý do và cách tiếp tục có trên trang quản trị của {old_name}, "
            "nơi quản trị viên cấp tỉnh xử lý; hồ sơ hiện trong danh sách này ngay khi được chuyển.")


def arriving_moving(count: int, old_name: str, successor_name: str) -> str:
    return (f"Đang chuyển {_n(count)} hồ sơ chưa kết thúc của {old_name} (ngừng hoạt động) sang "
            f"{successor_name}: hồ sơ đến hạn trả trước được chuyển trước, và hiện trong danh "
            "sách này ngay khi đã chuyển (trước đó chưa xử lý được).")


# --- the admin's save of a successor (``SuccessorTakesDossiers``): refused, or what moved ---------------------------

def still_receiving(agency_name: str, left: int, coming_name: str) -> str:
    return (f"{agency_name} đang nhận {_n(left)} hồ sơ chưa kết thúc của {coming_name} "
            f"chuyển dần trong nền: chỉ ghi nhận được cơ quan kế thừa cho {agency_name} khi các hồ sơ này "
            f"đã chuyển xong (mục «Tiến độ chuyển sang cơ quan kế thừa» trên trang {coming_name}).")


def refusal_role(agency_name: str, count: int, successor_name: str) -> str:
    return f"{agency_name} còn {_n(count)} hồ sơ chưa kết thúc, sẽ chuyển sang {successor_name}: {ONLY_PROVINCIAL}."


def refusal_successor(agency_name: str, count: int, message: str) -> str:
    return f"{agency_name} còn {_n(count)} hồ sơ chưa kết thúc: {message}"


def cannot_keep(successor_name: str, agency_name: str, count: int, codes: list[str], fact: str) -> str:
    """`count` dossiers the successor could not keep, the first of them named by `codes`."""
    return (f"{successor_name} không nhận được {_n(count)} hồ sơ chưa kết thúc của {agency_name} "
            f"({first_few(codes, SHOWN, total=count)}): {fact}. Hãy giải quyết xong các hồ sơ này, hoặc chọn cơ quan "
            "kế thừa khác.")


def moving_in_background(count: int, agency_name: str, successor_name: str) -> str:
    return (f"Hồ sơ: {_n(count)} hồ sơ chưa kết thúc của {agency_name} đang được chuyển dần "
            f"sang {successor_name} trong nền (giữ mã hồ sơ, lịch sử và ngày hẹn trả; hồ sơ đến hạn trả trước "
            "chuyển trước; người nộp được báo tin khi hồ sơ của họ chuyển): tiến độ ở mục «Tiến độ chuyển "
            "sang cơ quan kế thừa» trên trang cơ quan này.")


def moved_now(count: int, agency_name: str, successor_name: str, drafts: int) -> str:
    said = (f"Hồ sơ: {_n(count)} hồ sơ chưa kết thúc của {agency_name} chuyển sang "
            f"{successor_name} (giữ mã hồ sơ, lịch sử và ngày hẹn trả; người nộp được báo tin)")
    if drafts:
        said += f", trong đó {_n(drafts)} bản nháp của người nộp"
    return said + "."


def redirected(left: int, old_name: str, successor_name: str) -> str:
    return f"Việc chuyển {_n(left)} hồ sơ của {old_name} (đang tạm dừng) nay chuyển thẳng sang {successor_name}."
