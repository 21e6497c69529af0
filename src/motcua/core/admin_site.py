"""The admin site's base (the project's site, ``audit.admin_site``, adds the audit trail): every ModelAdmin and inline
registered on it, ours and the libraries', turns forged related values and JSON the database cannot store into form
errors (``SafeRelated``) — no admin can forget it."""

import functools
import json
import math

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models

from .digits import read_otherwise


def _fits(target, value) -> bool:
    """Whether the submitted ``value`` is one the key column ``target`` can hold (a number in range, for a numeric
    key): Django looks a related row up by any value and, for one that cannot be a key, fails with a 500 ("abc"
    anywhere; a number past 64 bits on SQLite) instead of a form error."""
    try:
        target.run_validators(target.to_python(value))
    except (ValidationError, TypeError, ValueError):
        return False
    return True


class _KnownChoicesOnly:
    """An autocomplete widget re-rendering a refused form looks up only the submitted values that fit."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _fits(self.field.target_field, v)], attr)


class SafeAutocompleteSelect(_KnownChoicesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownChoicesOnly, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many field whose submitted values that cannot be keys are a form error before any look-up."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        target = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        for pk in value:
            if not _fits(target, pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


class RepeatedKey(json.JSONDecodeError):
    """An object naming one key twice: typed so, or typed once precomposed and once decomposed, which the pages'
    input (core.input) has made the same key before the field reads it."""

    def __init__(self, key: str):
        super().__init__("repeated key", key, 0)
        self.key = key


class FiniteJSONDecoder(json.JSONDecoder):
    """JSON as the databases store it: no NaN or Infinity (Python reads them, and «1e400» as infinity, but neither
    SQLite's json_valid nor PostgreSQL's jsonb accepts them) and no integer longer than Python converts (4.300
    digits). Each is a JSONDecodeError, which the form field turns into its «invalid» error. Nor an object naming a
    key twice (RepeatedKey, its own error): which value was meant is unknown, Python would keep the last."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "parse_constant": self._constant, "parse_float": self._float,
                                   "parse_int": self._int, "object_pairs_hook": self._object})

    @staticmethod
    def _object(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise RepeatedKey(key)
            out[key] = value
        return out

    @staticmethod
    def _constant(name):
        raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)

    @staticmethod
    def _float(text):
        value = float(text)
        if not math.isfinite(value):
            raise json.JSONDecodeError("number out of range", text, 0)
        return value

    @staticmethod
    def _int(text):
        if len(text.lstrip("-")) > 4000:
            raise json.JSONDecodeError("number too long", text[:20], 0)
        return int(text)


class FiniteJSONField(forms.JSONField):
    """An admin's JSON field: a value the database would refuse (above) is a form error, not a 500 on saving."""

    def __init__(self, encoder=None, decoder=None, **kwargs):
        super().__init__(encoder=encoder, decoder=decoder or FiniteJSONDecoder, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if isinstance(exc.__context__, RepeatedKey):
                key = exc.__context__.key
                raise ValidationError(
                    "Khóa «%(key)s» xuất hiện hai lần trong cùng một đối tượng JSON (có thể một lần gõ dạng dựng sẵn, "
                    "một lần dạng tổ hợp); không rõ giá trị nào được dùng, hãy để mỗi khóa một lần.",
                    code="repeated_key", params={"key": key if len(key) <= 60 else key[:60] + "…"}) from exc
            raise


class _DigitsAsShown:
    """A number, date or time field of the admin that refuses what its converter would read otherwise than shown
    (core.digits.read_otherwise: "２０２６", "01/01/٢٠٢٦", "1_000") with its own «invalid» message."""

    def to_python(self, value):
        if read_otherwise(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


_TYPED = (forms.IntegerField, forms.DateField, forms.TimeField, forms.DateTimeField)  # Decimal, Float: Integer's


@functools.cache
def _digits_as_shown(cls: type) -> type:
    return type(cls.__name__, (_DigitsAsShown, cls), {"__module__": cls.__module__})


def digits_as_shown(field: forms.Field | None) -> forms.Field | None:
    """``field`` (and the date and time of a split date-time) made a ``_DigitsAsShown`` field."""
    for part in (getattr(field, "fields", None) or (field,)):
        if isinstance(part, _TYPED) and not isinstance(part, _DigitsAsShown):
            part.__class__ = _digits_as_shown(type(part))
    return field


class SafeRelated:
    """ModelAdmin / inline mixin: forged related values are form errors (the widgets and field above), and so are JSON
    the database cannot store (``FiniteJSONField``) and numbers or dates in other digits (``digits_as_shown``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField) and db_field.decoder is None:
            kwargs.setdefault("form_class", FiniteJSONField)
        return digits_as_shown(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def with_mixin(admin_class, mixin, **attrs):
    """``admin_class`` with ``mixin`` in front, under the same name (and ``attrs`` set on it); the class itself when
    it has the mixin already and nothing is to be set."""
    has = issubclass(admin_class, mixin)
    if has and not attrs:
        return admin_class
    return type(admin_class.__name__, (admin_class,) if has else (mixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__, **attrs})


def safe_admin(admin_class):
    """``admin_class`` with ``SafeRelated`` in front, and its inlines too (the class itself when it has it)."""
    inlines = [safe_admin(inline) for inline in getattr(admin_class, "inlines", ())]
    if inlines == list(getattr(admin_class, "inlines", ())):
        return with_mixin(admin_class, SafeRelated)
    return with_mixin(admin_class, SafeRelated, inlines=inlines)


class AdminSite(admin.AdminSite):
    site_header = "Một Cửa Số — Quản trị"
    site_title = "Một Cửa Số"
    index_title = "Quản trị hệ thống"

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, safe_admin(admin_class or admin.ModelAdmin), **options)
