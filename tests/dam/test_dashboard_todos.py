"""The dashboard's "Waiting for you": each role sees the counts of its own work, with links, and the unread news
grouped with a mark-all-read; the lines come from each app's selectors, counting only what the reader may see."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.models import Asset
from dam.dashboard import todos_for
from taxonomy.proposals import proposal_create
from tests.factories import make_asset, make_collection, upload_as
from workflows import services
from workflows.models import Notification, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(people):
    """Three revisions waiting for the editors (the oldest opened 2 days ago), two of the contributor's sent
    back, two term proposals, two assets whose rights end within the month (one already over)."""
    for n in range(3):
        version = upload_as(people["contributor"], title=f"Waiting {n}").current_version
        services.version_submit(version_id=version.pk, actor=people["contributor"])
    Review.objects.filter(version__asset__title="Waiting 0").update(step_opened_at=timezone.now() - timedelta(days=2,
                                                                                                              hours=1))
    for n in range(2):
        version = upload_as(people["contributor"], title=f"Sent back {n}").current_version
        services.version_submit(version_id=version.pk, actor=people["contributor"])
        services.version_request_changes(version_id=version.pk, actor=people["editor"], comment="Crop it.")
    asset = Asset.objects.get(title="Sent back 0")
    for label in ("Lighthouse", "Dune"):
        proposal_create(asset=asset, label=label, actor=people["contributor"])
    now = timezone.now()
    soon = make_asset(people["contributor"], approved=True, title="Ends soon")
    over = make_asset(people["contributor"], approved=True, title="Ended")
    later = make_asset(people["contributor"], approved=True, title="Ends next year")
    hidden = make_asset(people["admin"], make_collection("Secret"), approved=True, title="Unseen")
    for item, days in ((soon, 10), (over, -3), (later, 400), (hidden, 5)):
        Asset.objects.filter(pk=item.pk).update(rights_expire_at=now + timedelta(days=days))


def lines(user):
    return {todo.key: (todo.count, todo.text, todo.note) for todo in todos_for(user)}


def test_each_role_sees_its_own_work(people, work):
    assert lines(people["editor"]) == {"reviews": (3, "waiting for your sign-off", "oldest 2 days")}
    assert lines(people["contributor"]) == {
        "changes": (2, "of your drafts have changes requested", ""),
        "rights": (2, "assets' rights expire within 30 days", "1 already expired"),  # they own them
    }
    assert lines(people["librarian"]) == {
        "proposals": (2, "term proposals", "waiting for a decision"),
        "rights": (2, "assets' rights expire within 30 days", "1 already expired"),
    }
    assert lines(people["brand_manager"]) == {}  # step 2 opens only after the editors
    assert lines(people["viewer"]) == {}
    admin = lines(people["admin"])
    assert admin["reviews"][0] == 3 and admin["proposals"][0] == 2 and admin["rights"][0] == 3  # sees "Secret"


def test_the_dashboard_links_each_line_and_groups_the_news(web, people, work):
    page = web("editor").get("/").content.decode()
    assert '<a href="/reviews/"><strong>3</strong> waiting for your sign-off</a>' in page
    assert "(oldest 2 days)" in page
    page = web("contributor").get("/").content.decode()
    assert '<a href="/reviews/changes-requested/"><strong>2</strong> of your drafts have changes requested</a>' in page
    assert '<strong>2</strong> assets&#x27; rights expire within 30 days</a>' in page
    assert "<strong>2</strong> unread notifications</a>: decisions on your work 2" in page
    response = web("contributor").post("/reviews/notifications/read/", {"next": "/"})
    assert response["Location"] == "/"
    assert "unread notification" not in web("contributor").get("/").content.decode()
    page = web("librarian").get("/").content.decode()
    assert '<a href="/assets/proposals/"><strong>2</strong> term proposals</a>' in page


def test_one_of_each_reads_in_the_singular(people):
    version = upload_as(people["contributor"], title="Alone").current_version
    services.version_submit(version_id=version.pk, actor=people["contributor"])
    services.version_request_changes(version_id=version.pk, actor=people["editor"], comment="Crop it.")
    assert lines(people["contributor"])["changes"] == (1, "of your drafts has changes requested", "")


def test_notifications_are_grouped_by_what_they_ask(web, people, work):
    page = web("editor").get("/reviews/notifications/").content.decode()
    opened = Notification.objects.filter(recipient=people["editor"], verb="workflows.step.opened").count()
    assert opened >= 5  # every submission above opened step 1 for the editors
    assert f'Waiting for your review <span class="help">{opened}, {opened} unread</span>' in page
    assert "Mark these read" in page
    contributor = web("contributor").get("/reviews/notifications/").content.decode()
    assert "Decisions on your work" in contributor and "Crop it." in contributor
