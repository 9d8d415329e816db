"""Reports never show a role what it may not see; roles without analytics get 403."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.roles import ROLE_GROUP_NAMES, Role
from analytics.selectors import PANELS, ReportQuery, report
from assets.services import collection_grant, collection_revoke
from taxonomy.models import Vocabulary
from tests.analytics.helpers import download
from tests.factories import library, make_asset, make_collection, make_term
from workflows import services as workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_folders(people):
    """The brand manager's role no longer sees the whole library: only the folder "Ours" is granted to them."""
    ours, theirs = make_collection("Ours"), make_collection("Theirs")
    collection_revoke(collection=library(), level="view", actor=None,
                      group=Group.objects.get(name=ROLE_GROUP_NAMES[Role.BRAND_MANAGER]))
    collection_grant(collection=ours, level="view", actor=None, user=people["brand_manager"])
    vocabulary = Vocabulary.objects.create(uri="https://vocab.example.org/t/", title="Topics")
    secret_term = make_term(vocabulary, "Merger")
    mine = make_asset(people["editor"], ours, title="Ours 1", approved=True)
    hidden = make_asset(people["editor"], theirs, title="Theirs 1", approved=True)
    hidden.term_links.create(term=secret_term)
    now = timezone.now()
    for asset, count in ((mine, 2), (hidden, 5)):
        for n in range(count):
            download(asset, now - dt.timedelta(hours=n + 1))
    waiting = make_asset(people["editor"], theirs, title="Theirs waiting")
    workflow.version_submit(version_id=waiting.current_version_id, actor=None)
    return {"mine": mine, "hidden": hidden, "ours": ours, "theirs": theirs, "term": secret_term}


def test_a_brand_manager_sees_only_the_numbers_of_their_folder(people, two_folders):
    data = report(people["brand_manager"], ReportQuery.last(30))
    assert sum(r["count"] for r in data["downloads_by_day"]) == 2
    assert [r["title"] for r in data["top_assets"]] == ["Ours 1"]
    assert [r["name"] for r in data["top_collections"]] == ["Ours"]
    assert data["waiting_reviews"] == []
    assert [r["count"] for r in data["approval_times"]] == [1, 1]  # "Ours 1" only: "Theirs 1" was approved too
    assert sum(r["count"] for r in data["assets_by_type_state"]) == 1
    assert data["top_terms"] == []
    assert "Merger" in [r["label"] for r in data["unused_terms"]]  # unused among what they see, not a leak
    assert data["storage"][-1]["originals_bytes"] == two_folders["mine"].current_version.size
    everything = report(people["admin"], ReportQuery.last(30))
    assert sum(r["count"] for r in everything["downloads_by_day"]) == 7
    assert [r["title"] for r in everything["waiting_reviews"]] == ["Theirs waiting"]
    assert [r["count"] for r in everything["approval_times"]] == [2, 2]


def test_asking_for_an_unseen_folder_shows_nothing(people, two_folders):
    q = ReportQuery.last(30, collection_id=two_folders["theirs"].pk)
    data = report(people["brand_manager"], q, ["top_assets", "downloads_by_day", "never_downloaded"])
    assert data == {"top_assets": [], "downloads_by_day": [], "never_downloaded": []}


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer", "outsider"])
def test_roles_without_analytics_are_refused(people, role):
    with pytest.raises(PermissionDenied):
        report(people[role], ReportQuery.last(30))
    with pytest.raises(PermissionDenied):
        PANELS["top_assets"].rows(people[role], ReportQuery.last(30))


@pytest.mark.parametrize("role", ["admin", "librarian", "brand_manager"])
def test_roles_with_analytics_read_every_panel(people, role):
    assert list(report(people[role], ReportQuery.last(7))) == list(PANELS)
