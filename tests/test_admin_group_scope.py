"""Django admin, one group at a time: a commitment's autocompletes offer only the chosen
working group's areas, meetings, documents, agencies and people, and a group's co-leads
must be agencies of its parties."""

from __future__ import annotations

from django.urls import reverse

from commitments.models import Commitment
from tests import factories
from tests.admin_support import form_data, url

# --------------------------------------------------------------------------- one group at a time


def autocomplete(client, field: str, group=None, term: str = "", model: str = "commitment"):
    params = {"app_label": "commitments", "model_name": model, "field_name": field, "term": term}
    if group is not None:
        params["group"] = group.pk
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200, response.content[:300]
    return {item["text"] for item in response.json()["results"]}


def test_it_limits_a_commitments_autocompletes_to_the_chosen_group(
    everything, other_group, admin_client, outsider
):
    group = everything
    factories.source_document(other_group, "Their readout")
    mx = factories.agency("MX", "FGR")
    assert "Other area" in autocomplete(admin_client, "action_area")  # no group: everything
    assert autocomplete(admin_client, "action_area", group) == {"Precursor chemicals"}
    assert all("OTHER" not in m for m in autocomplete(admin_client, "meeting", group))
    assert "Their readout" not in autocomplete(admin_client, "source_document", group)
    assert str(mx) not in autocomplete(admin_client, "lead_agencies", group)
    owners = autocomplete(admin_client, "owner", group)
    assert "outsider" not in owners and "member0" in owners


def test_it_finds_a_meeting_by_its_number(everything, admin_client):
    found = autocomplete(admin_client, "meeting", everything, term="2")
    assert any("meeting 2" in text for text in found), found


def test_it_tells_the_commitment_form_which_group_to_search(commitment, admin_client):
    page = admin_client.get(url(Commitment, "change", commitment.pk)).content.decode()
    assert f'data-group="{commitment.working_group_id}"' in page
    add = admin_client.get(url(Commitment, "add")).content.decode()
    assert 'data-group-from="id_working_group"' in add
    assert "admin/group_scope.js" in add


def test_it_refuses_co_leads_outside_the_parties_at_the_field(everything, admin_client):
    group = everything
    mx = factories.agency("MX", "FGR")
    data = form_data(admin_client.get(url(group.__class__, "change", group.pk)))
    data["lead_agencies"] = [str(mx.pk)]

    response = admin_client.post(url(group.__class__, "change", group.pk), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_agencies"]
    assert "agency of one of the group's parties: FGR (MX)" in errors[0]
    assert not group.lead_agencies.filter(pk=mx.pk).exists()
