"""Static files as production serves them (motcua.settings' STORAGES, after collectstatic): a page names its style
sheet by a hash of its content, and WhiteNoise lets a browser keep that file a year without asking again — on 3G
in a mountain commune each question costs a round trip per page."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

import motcua.settings as production

pytestmark = pytest.mark.django_db


def test_a_pages_style_sheet_has_a_hashed_name_cached_for_a_year(client, settings, tmp_path, world):
    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)

    body = client.get(reverse("portal:procedures")).content.decode()
    sheet = re.search(r'<link rel="stylesheet" href="(/static/motcua/site\.[0-9a-f]{12}\.css)"', body)
    assert sheet, re.findall(r"<link[^>]*>", body)
    answer = client.get(sheet.group(1))
    assert answer.status_code == 200 and b"".join(answer.streaming_content)
    cache = answer["Cache-Control"]
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
    for script in re.findall(r'<script src="(/static/[^"]+)"', body):  # every file the page names is there
        assert re.search(r"\.[0-9a-f]{12}\.js$", script) and client.get(script).status_code == 200, script
