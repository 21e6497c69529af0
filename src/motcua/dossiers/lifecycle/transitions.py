"""Declaring a transition: ``transition(action, actor=..., checks=..., reads=..., prepare=...)`` turns a function that
only changes the dossier into a public transition that runs the commit path (``commit.py``: lock, guard, checks, the
time-order check, the change, one write); the argument checks (``reason``), the ``Event`` a change returns, and
``may_act`` for a preparation that asks another system before the transaction. Split out of ``commit.py``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from motcua.core.errors import DomainError, ValidationFailed

from ..models import Dossier
from .commit import DossierRef, check_time_order, commit, lock, now, refresh_caller
from .guards import GUARDS


@dataclass
class Event:
    """What a transition's change tells the commit path: the event's note, data and agencies."""

    note: str = ""
    data: dict | None = None
    agency: object = None
    to_agency: object = None
    step: object = None
    published: dict | None = None  # what the outbox payload carries besides the usual keys


def require_reason(reason, code: str = "reason_required", message: str = "Cần nêu rõ lý do.") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(code, message)
    return text


def reason(message: str):
    """Argument check: a non-blank ``reason`` (stripped), else ValidationFailed('reason_required', message)."""

    def check(d, at, args):
        args["reason"] = require_reason(args.get("reason"), message=message)

    return check


def may_act(dossier, who, action: str) -> Dossier | None:
    """For a transition's ``prepare``: the dossier (a ``DossierRef`` loaded by its code), read without a lock, when
    `who` may see it and take `action` on it as it reads now; None otherwise, and the preparation then does nothing:
    the transaction refuses as it would have (not found, not allowed), and no other system was asked, nothing stored,
    on behalf of someone who may not act (nor does the answer's delay tell them whether such a dossier exists)."""
    if isinstance(dossier, DossierRef):
        d = (Dossier.objects.select_related("procedure", "agency", "current_agency", "current_step")
             .filter(code=dossier.code).first())
        if d is None or (dossier.visible is not None and not dossier.visible(d)):
            return None
    else:
        d = dossier
    try:
        GUARDS[action](d, who)
    except DomainError:
        return None
    return d


def transition(action: str, *, actor: str = "officer", checks=(), reads=(), prepare=None):
    """Declare a transition: ``action`` (its guard is guards.GUARDS[action]), the keyword naming who acts,
    the argument checks run after the guard, in order (each ``check(dossier, at, args)`` raises or
    cleans ``args``), and what the locking statement reads besides the dossier (store.READS). ``prepare(dossier,
    args)``, if given, runs before the transaction and its lock: what may wait on another system (a network call)
    and must stay learnt whether the transition then goes on or is refused; it receives the dossier as passed (a
    ``DossierRef`` too, neither loaded nor checked: ``may_act`` reads it for a preparation that writes or asks
    another system). A caller that runs the transition
    inside a transaction of its own calls ``run.prepare(dossier, **kwargs)`` before it and passes
    ``prepared=True``, or what was learnt is rolled back with a refusal. The decorated
    function receives the locked dossier, the moment and the arguments, changes the dossier and returns the ``Event`` to record; the public function takes the dossier (or a
    ``DossierRef``), the same keyword arguments and ``at=`` (aware datetime; default now)."""
    guard = GUARDS[action]
    reads = tuple(reads)

    def wrap(change: Callable[..., Event]):
        signature = inspect.signature(change)
        params = list(signature.parameters.values())[2:]  # after (dossier, at)

        def arguments(kwargs) -> dict:
            bound = signature.replace(parameters=params).bind(**kwargs)
            bound.apply_defaults()
            return dict(bound.arguments)

        def prepare_run(dossier, **kwargs) -> None:
            if prepare is not None:
                prepare(dossier, arguments(kwargs))

        @functools.wraps(change)
        def run(dossier, *, at=None, prepared=False, **kwargs):
            args = arguments(kwargs)
            if prepare is not None and not prepared:
                prepare(dossier, dict(args))
            moment = now(at)
            who = args[actor]
            with transaction.atomic():
                d = lock(dossier, who, reads)
                guard(d, who)
                for check in checks:
                    check(d, moment, args)
                check_time_order(d, moment)
                from_status = d.status
                event = change(d, moment, **args)
                fresh = commit(d, action=action, from_status=from_status, actor=who, at=moment,
                               note=event.note, agency=event.agency, to_agency=event.to_agency, step=event.step,
                               data=event.data, published=event.published)
            return refresh_caller(dossier, fresh)

        run.__signature__ = inspect.Signature(
            [inspect.Parameter("dossier", inspect.Parameter.POSITIONAL_OR_KEYWORD), *params,
             inspect.Parameter("at", inspect.Parameter.KEYWORD_ONLY, default=None),
             inspect.Parameter("prepared", inspect.Parameter.KEYWORD_ONLY, default=False)])
        run.action = action
        run.guard = guard
        run.prepare = prepare_run
        return run

    return wrap
