"""Catalog queries used by the portal, the back office and the API."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from motcua.core.digits import whole_number
from motcua.core.text import fold

from .models import Field, Procedure


def search_procedures(q: str = "", field=None, level=None, online_level=None, agency=None) -> QuerySet[Procedure]:
    """Active procedures whose name has a word starting with each word of `q` (accents and case
    ignored), or whose code contains `q`.

    `field` is a Field, its id or its code; `agency` an Agency, its id or its code. Names that start
    with the query come first, then names containing it as a phrase, then the others, by name.
    """
    qs = Procedure.objects.filter(is_active=True).select_related("field")
    if field not in (None, ""):
        if isinstance(field, Field):
            qs = qs.filter(field=field)
        elif isinstance(field, int):
            qs = qs.filter(field_id=field)
        elif whole_number(field) is not None:  # a form value: the id, or a numeric code
            qs = qs.filter(Q(field_id=whole_number(field)) | Q(field__code=str(field)))
        else:
            qs = qs.filter(field__code=str(field))
    if level:
        qs = qs.filter(level=level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if agency not in (None, ""):
        if hasattr(agency, "pk"):
            qs = qs.filter(agencies=agency)
        elif isinstance(agency, int):
            qs = qs.filter(agencies__id=agency)
        elif whole_number(agency) is not None:
            qs = qs.filter(agencies__id=whole_number(agency))
        else:
            qs = qs.filter(agencies__code=str(agency))
        qs = qs.distinct()
    folded = fold(q or "")
    if folded:
        words = Q()
        for word in folded.split():  # each word must start a word of the name ("tu" finds "tử", "tuổi")
            words &= Q(name_folded__startswith=word) | Q(name_folded__contains=" " + word)
        qs = qs.filter(words | Q(code__icontains=q.strip()))
        qs = qs.annotate(_rank=Case(When(name_folded__startswith=folded, then=Value(0)),
                                    When(code__iexact=q.strip(), then=Value(0)),
                                    When(name_folded__contains=folded, then=Value(1)),
                                    default=Value(2), output_field=IntegerField()))
        return qs.order_by("_rank", "name_folded", "code")
    return qs.order_by("name_folded", "code")
