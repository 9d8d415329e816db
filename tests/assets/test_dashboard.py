"""The dashboard: its numbers count what each reader may see, and show review states only to those they concern."""
from __future__ import annotations

import pytest

from assets import selectors
from tests.factories import make_asset, make_collection, upload_as
from workflows import services as workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def library_of_five(people):
    """An approved asset, the contributor's draft, the editor's draft and the editor's revision in review, all
    in the library; and an approved asset in a folder granted to nobody."""
    make_asset(people["admin"], approved=True, title="Approved")
    upload_as(people["contributor"], title="Contributor's draft")
    upload_as(people["editor"], title="Editor's draft")
    in_review = upload_as(people["editor"], title="Editor's revision in review")
    workflow.version_submit(version_id=in_review.current_version_id, actor=None)
    make_asset(people["admin"], make_collection("Secret"), approved=True, title="Unseen")


@pytest.mark.parametrize(("reader", "expected"), [
    ("viewer", {"total": 1, "approved": 1, "mine": 0, "drafts": None, "in_review": None}),
    ("contributor", {"total": 2, "approved": 1, "mine": 1, "drafts": 1, "in_review": 0}),
    ("editor", {"total": 4, "approved": 1, "mine": 2, "drafts": 2, "in_review": 1}),
    ("admin", {"total": 5, "approved": 2, "mine": 2, "drafts": 2, "in_review": 1}),
])
def test_the_dashboard_counts_what_each_reader_sees(people, library_of_five, reader, expected):
    assert selectors.dashboard_counts(people[reader]) == expected


def test_review_states_are_shown_to_those_they_concern(web, library_of_five):
    viewer = web("viewer").get("/").content.decode()
    assert "assets you can see" in viewer and "?status=draft" not in viewer and "in review</span>" not in viewer
    editor = web("editor").get("/").content.decode()
    assert "?status=draft\"><strong>2</strong><span>drafts" in editor
    assert "?status=in_review\"><strong>1</strong><span>in review" in editor
