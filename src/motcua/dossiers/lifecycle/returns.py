"""How a result may reach the applicant (LEGAL §1.6): at the counter, by public post to an address, or online — an
electronic result the applicant downloads through the portal account the dossier was submitted from. A procedure
whose result is a paper document may still be asked for online: the agency can issue a signed electronic copy
(documents.digitization_flags.result_electronic); if it does not, the return itself is refused online.

The one home of these rules: intake (the method asked for), the return itself, and the pages offering the choices.

Where the result is, the dossier may not say: a layer above that holds it elsewhere registers a ``ReturnHold`` from its
``AppConfig.ready`` (the post office holding the paper result: integrations.adapters.postal). Its ``ask`` runs before
the return's transaction, outside the dossier's lock (a network call may wait there, and what it learns stays stored
when the return is then refused); its ``refusal`` runs under the lock and reads only what is stored; the return form
offers only the ways no hold refuses (``hold_refusals``)::

    @return_holds.register("integrations.postal")
    class ResultWithPostOffice(ReturnHold):
        def asks(self, method): ...  # whether ask may learn something for this way (no dossier read yet)
        def ask(self, dossier, method): ...  # learn and store where the result is (before the lock)
        def refusal(self, dossier, method): ...  # a DomainError when the result cannot be returned this way, or None
"""

from __future__ import annotations

from motcua.catalog.models import ResultType
from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.plugins import Registry

from ..models import ReturnMethod
from .transitions import may_act

# (code, message) of each refusal
METHOD_INVALID = ("return_method_invalid", "Hình thức nhận kết quả không hợp lệ.")
ADDRESS_REQUIRED = (
    "return_address_required", "Cần nhập địa chỉ nhận kết quả khi chọn nhận kết quả qua bưu chính công ích.")
OTHER_WAYS = "Chọn nhận kết quả tại Bộ phận Một cửa hoặc qua bưu chính công ích."
NEEDS_ACCOUNT = (
    "return_online_needs_account",
    "Hồ sơ nộp tại Bộ phận Một cửa hoặc qua bưu chính không gắn với tài khoản trên Cổng dịch vụ công, nên người nộp "
    f"không tải được kết quả trực tuyến. {OTHER_WAYS}")
NOT_ELECTRONIC = (
    "result_not_electronic",
    "Kết quả của hồ sơ này chưa có bản điện tử có chữ ký số, nên không trả trực tuyến được: trả tại Bộ phận Một cửa "
    "hoặc qua bưu chính công ích (bản quét không thay được bản điện tử).")
PAPER_RESULT_ONLINE = (
    "Kết quả của thủ tục này là bản giấy: chỉ nhận trực tuyến được nếu cơ quan giải quyết cấp bản điện tử có chữ ký "
    "số; nếu không, hãy chọn nhận tại Bộ phận Một cửa hoặc qua bưu chính công ích.")


def check_return_method(return_method, applicant_data: dict | None = None, *, account: bool = True) -> None:
    """The way asked for at intake. By post only with an address the post office can deliver to; online only for an
    applicant with an account to download the result from (``account``: the dossier is submitted from one).
    # LEGAL §1.6 [A: S57, S59]: results at the counter, by public post (to an address), or electronically"""
    if return_method not in ReturnMethod.values:
        raise ValidationFailed(*METHOD_INVALID)
    if return_method == ReturnMethod.POST and not ((applicant_data or {}).get("address") or "").strip():
        raise ValidationFailed(*ADDRESS_REQUIRED)
    if return_method == ReturnMethod.ONLINE and not account:
        raise ValidationFailed(*NEEDS_ACCOUNT)


def return_choices(*, account: bool = True) -> list[tuple[str, str]]:
    """The ways a form offers at intake: those check_return_method accepts for this applicant."""
    return [c for c in ReturnMethod.choices if account or c[0] != ReturnMethod.ONLINE]


def online_return_note(procedure) -> str:
    """What a form offering the online return at intake says beside the choice for this procedure, or "": a result
    the catalog gives as a paper document comes online only if the agency issues a signed electronic copy of it, else
    the return itself is refused online (online_return_refusal) — the applicant reads it before choosing.
    # LEGAL §1.6 [A: S59]: an electronic return is of an electronic result, with a paper one's validity"""
    return PAPER_RESULT_ONLINE if procedure.result_type == ResultType.PAPER else ""


def online_return_refusal(dossier) -> ValidationFailed | None:
    """Why this dossier's result cannot be returned online now, or None: an online return hands over the electronic
    result (signed; a scan of a paper result is not one) to the account the dossier was submitted from.
    # LEGAL §1.6 [A: S59]: an electronic return is of an electronic result, with a paper one's validity"""
    if dossier.applicant_id is None:
        return ValidationFailed(*NEEDS_ACCOUNT)
    if not dossier.result_electronic:
        return ValidationFailed(*NOT_ELECTRONIC)
    return None


class ReturnHold:
    def asks(self, method) -> bool:
        """Whether ``ask`` may have something to learn for a return by ``method`` (None: the way the applicant asked
        for), before anything is read: False spares the return reading the dossier before its transaction."""
        return False

    def ask(self, dossier, method) -> None:
        """Before the return's transaction, outside any lock: learn and store what ``refusal`` reads. ``dossier`` is
        loaded, read without a lock, and the officer may see it and record its return as it read then
        (``transition(prepare=…)``); ``method`` may be None (the way the applicant asked for)."""

    def refusal(self, dossier, method) -> DomainError | None:
        """Why the result of ``dossier`` cannot be returned by ``method`` now (None: this hold does not stop it), from
        what is stored: it runs under the dossier's lock."""
        return None


return_holds: Registry[type[ReturnHold]] = Registry("return hold")


def ask_holds(dossier, args) -> None:
    """The return's preparation (``transition(prepare=…)``): each hold that may have something to learn for this way
    (``asks``) learns where the result is, of a dossier the officer may see and return as it reads now (a
    ``DossierRef`` is loaded by its code only then: ``transitions.may_act``)."""
    method = args.get("method")
    asking = [hold() for _name, hold in return_holds.items()]
    asking = [hold for hold in asking if hold.asks(method)]
    if asking and (d := may_act(dossier, args["officer"], "return_result")) is not None:
        for hold in asking:
            hold.ask(d, method)


def hold_refusals(dossier) -> dict[str, DomainError]:
    """The ways a registered hold refuses now, each with its refusal, from what is stored: the return form offers
    the others and says why."""
    refused = {}
    for method in ReturnMethod.values:
        for _name, hold in return_holds.items():
            if (refusal := hold().refusal(dossier, method)) is not None:
                refused[method] = refusal
                break
    return refused


def check_return(dossier, method) -> None:
    """The way a result is being returned (the return itself), then what the registered holds say."""
    check_return_method(method, {"address": dossier.applicant_address})
    if method == ReturnMethod.ONLINE and (refusal := online_return_refusal(dossier)):
        raise refusal
    for _name, hold in return_holds.items():
        if (refusal := hold().refusal(dossier, method)) is not None:
            raise refusal
