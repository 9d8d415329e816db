"""People are named by their display name on the staff pages (lists, review queue, history, grants, the audit
trail), never by their user name."""
from __future__ import annotations

import re

import pytest

from accounts.audit import describe
from accounts.models import AuditEvent
from accounts.roles import Role
from assets.services import collection_grant
from tests.factories import make_collection, make_user, upload_as
from workflows import services as review_services

pytestmark = pytest.mark.django_db

LOGIN = "jdoe_x7"


@pytest.fixture
def jo(db):
    person = make_user(LOGIN, Role.CONTRIBUTOR)
    person.first_name, person.last_name = "Jo", "Doe"
    person.save(update_fields=["first_name", "last_name"])
    return person


def _shows_name(html: str) -> None:
    """What a person reads: the text, not the values forms send (a grant's form names the account)."""
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Jo Doe" in text
    assert LOGIN not in text


def test_staff_pages_name_people_by_their_display_name(web, people, jo):
    asset = upload_as(jo, title="Jo's harbour")
    review_services.version_submit(version_id=asset.current_version_id, actor=jo)
    review_services.asset_check_out(asset=asset, actor=jo)
    review_services.lock_break(asset=asset, actor=people["admin"])
    folder = make_collection("Agency")
    collection_grant(collection=folder, level="view", actor=None, user=jo)
    admin = web("admin")
    _shows_name(admin.get("/assets/?view=table").content.decode())
    _shows_name(admin.get(f"/reviews/assets/{asset.uid}/history/").content.decode())
    _shows_name(admin.get(folder.get_absolute_url()).content.decode())
    _shows_name(web("editor").get("/reviews/").content.decode())
    broken = describe(AuditEvent.objects.get(verb="workflows.asset.lock_broken")).text
    granted = describe(AuditEvent.objects.get(verb="assets.collection.granted")).text
    assert "Jo Doe’s check-out" in broken and "gave Jo Doe view access" in granted
