from django import template

from motcua.core.money import format_number, format_vnd
from motcua.integrations.adapters.postal import shipment_of
from motcua.transformation.money import format_million
from motcua.web.display import DEADLINE_WORDS, action_label, deadline_class, event_name, vn_date, vn_datetime

register = template.Library()


@register.filter
def vnd(value):
    return format_vnd(value)


@register.filter
def num(value, decimals=0):
    return format_number(value, int(decimals))


@register.filter
def ngay(value):
    return vn_date(value)


@register.filter
def ngaygio(value):
    return vn_datetime(value)


@register.filter
def due_class(value):
    return deadline_class(value)


@register.filter
def due_word(value):
    """" (quá hạn)", " (sắp đến hạn)" or "": the words for the colour due_class gives, to write after the date."""
    word = DEADLINE_WORDS.get(deadline_class(value))
    return f" ({word})" if word else ""


@register.filter
def days(value):
    """Decimal working days shown as '3' or '1,5'."""
    if value is None:
        return ""
    v = float(value)
    return format_number(v, 0 if v == int(v) else 1)


@register.filter
def action_vi(value):
    return action_label(value or "")


@register.filter
def event_vi(event):
    """A dossier event's name in a timeline ({{ e|event_vi }}), which may depend on its data."""
    return event_name(event)


@register.filter
def trieu(value, decimals=None):
    """đồng → triệu đồng written the Vietnamese way (8.962,46)."""
    return format_million(value, None if decimals in (None, "") else int(decimals))


@register.filter
def asks_required(form) -> bool:
    """Whether a form shows a field that must be filled (marked "*", explained once by web/form_errors.html)."""
    return any(f.field.required for f in getattr(form, "visible_fields", list)())


@register.simple_tag
def postal_shipment(dossier):
    """The parcel carrying `dossier`'s result home by post, or None (web/_postal_shipment.html)."""
    return shipment_of(dossier)
