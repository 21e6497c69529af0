"""No ID number in full in the log: Django logs the path of every refused request, and the population look-up has
the number in its path (motcua.core.logs)."""

import logging

import pytest
from django.test import Client

from tests.factories import citizen, population_look_up


@pytest.mark.django_db
def test_a_refused_population_look_up_logs_no_id_number(caplog):
    client = Client()
    client.force_login(citizen(id_number="051190012345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = client.get("/api/v1/integrations/population/051085004321")  # someone else's number
    assert answer.status_code == 403
    assert "/api/v1/integrations/population/051*******21" in caplog.text
    assert "051085004321" not in caplog.text


@pytest.mark.django_db
def test_the_population_look_up_by_post_puts_no_id_number_in_the_logged_path(caplog):
    client = Client()
    client.force_login(citizen(id_number="051190012345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = population_look_up(client, "051085004321")  # someone else's number, in the body
    assert answer.status_code == 403
    assert "/api/v1/integrations/population/lookup" in caplog.text and "051" not in caplog.text
