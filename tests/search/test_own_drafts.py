"""A contributor's filters tell the truth about what is on their screen: their drafts."""
from __future__ import annotations

from tests.factories import make_asset, upload_as


def test_a_contributors_status_filter_and_facet_count_their_own_drafts(web, people):
    mine = [upload_as(people["contributor"], title=f"Mine {n}") for n in (1, 2)]
    make_asset(people["editor"], title="An editor's draft")  # not theirs: unseen
    make_asset(people["editor"], title="Approved", approved=True)
    client = web("contributor")
    response = client.get("/assets/", {"status": "draft"})
    assert response.context["paginator"].count == 2
    assert {a.pk for a in response.context["assets"]} == {a.pk for a in mine}
    states = {v["value"]: v["count"] for v in client.get("/assets/").context["facets"]["status"]["values"]}
    assert states == {"draft": 2, "approved": 1}
    assert sum(states.values()) == client.get("/assets/").context["paginator"].count


def test_a_viewer_without_work_of_their_own_gets_no_review_state_facet(web, people):
    make_asset(people["editor"], title="Approved", approved=True)
    assert "status" not in web("viewer").get("/assets/").context["facets"]
