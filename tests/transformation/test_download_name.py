"""A plan's download name carries its agency's code: odd characters in it give a well-formed header, no 500."""

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from motcua.transformation.services import plans
from motcua.units.models import Agency

pytestmark = pytest.mark.django_db


def test_plan_download_name_from_an_agency_code_is_a_well_formed_header(dx, client, signed_in):
    Agency.objects.filter(pk=dx.dp.pk).update(code='DP "1"\r\nX-A: b')
    dx.dp.refresh_from_db()
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    expected = 'attachment; filename="ke-hoach-DP-1-X-A-b-2024.xlsx"'
    token = issue_token(dx.dp_admin, "thử")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"}).get(f"/api/v1/transformation/plans/{plan.pk}/export.xlsx")
    assert api.status_code == 200 and api["Content-Disposition"] == expected
    signed_in(dx.dp_admin)
    web = client.get(f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/xuat.xlsx")
    assert web.status_code == 200 and web["Content-Disposition"] == expected and "X-A" not in web.headers
