"""The CSV's file name says what it holds (issue 24, fault 8): an escalation bound of 0 is a filter like any
other, not "not set", so the file is not named as if it were the whole record."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["escalation_min=0", "escalation_max=0", "escalation_min=0&escalation_max=0"])
def test_fault_8_an_escalation_bound_of_zero_names_a_filtered_file(client, record, query):
    response = client.get(f"/export.csv?{query}")
    assert response["Content-Disposition"] == 'attachment; filename="tension-timeline_filtered_all-dates.csv"'


def test_the_whole_record_is_still_all_dates(client, record):
    response = client.get("/export.csv?escalation_min=&q=")
    assert response["Content-Disposition"] == 'attachment; filename="tension-timeline_all-dates.csv"'
