"""What happens on expiry is inherited down the folder tree: a sub-folder follows its parent unless it has its
own choice, three levels deep, in the visibility rule and in the daily job alike; the expiry form says what
holds and where it comes from. Time is moved by patching the clock, never slept."""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from archive.models import RightsNotice
from archive.rights import services
from assets.expiry import expiry_choice, expiry_choices, folders_resolving_to
from assets.models import Asset, Collection
from assets.services import collection_grant
from tests.factories import make_asset, make_collection, make_user

T0 = timezone.now().replace(microsecond=0)
AFTER = T0 + timedelta(days=3)


@contextmanager
def clock(at):
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


@pytest.fixture
def tree(people):
    """Campaigns 2026 > Spring > Posters, seen by the viewer; `marta` manages the top and so every level."""
    top = make_collection("Campaigns 2026")
    middle = make_collection("Spring", parent=top)
    leaf = make_collection("Posters", parent=middle)
    marta = make_user("marta", Role.EDITOR)
    collection_grant(collection=top, level="manage", user=marta, actor=None)
    collection_grant(collection=top, level="view", user=people["viewer"], actor=None)
    return {"top": top, "middle": middle, "leaf": leaf, "marta": marta}


def expired_asset_in(people, folder, title):
    asset = make_asset(people["contributor"], folder, approved=True, title=title)
    Asset.objects.filter(pk=asset.pk).update(rights_expire_at=T0 + timedelta(days=1))
    return asset


def choose(folder, action, actor=None):
    services.collection_set_expiry_action(collection=folder, actor=actor, action=action)
    folder.refresh_from_db()


def test_new_folders_follow_their_parent_and_the_top_level_hides(tree):
    top, middle, leaf = tree["top"], tree["middle"], tree["leaf"]
    assert {f.rights_on_expiry for f in (top, middle, leaf)} == {"inherit"}
    assert {pk: (c.action, c.source_id) for pk, c in expiry_choices([top, middle, leaf]).items()} == {
        top.pk: ("hide", None), middle.pk: ("hide", None), leaf.pk: ("hide", None)}
    choose(top, "notify")
    leaf_choice = expiry_choice(leaf)
    assert (leaf_choice.action, leaf_choice.source_id) == ("notify", top.pk)
    assert leaf_choice.sentence_for(leaf) == "Notify only, from Campaigns 2026"
    assert expiry_choice(top).sentence_for(top) == "Notify only, this folder's own choice"
    assert folders_resolving_to("notify") == {top.pk, middle.pk, leaf.pk}
    choose(middle, "archive")  # the nearest own choice wins
    assert (expiry_choice(leaf).action, expiry_choice(leaf).source_id) == ("archive", middle.pk)
    assert folders_resolving_to("notify") == {top.pk}
    assert folders_resolving_to("archive") == {middle.pk, leaf.pk}


def test_three_levels_deep_the_rule_and_the_daily_job_follow_the_inherited_choice(tree, people, api):
    top, middle, leaf = tree["top"], tree["middle"], tree["leaf"]
    kept = expired_asset_in(people, leaf, "Poster kept")
    choose(top, "notify")
    with clock(AFTER):
        # The viewer still gets it: Posters keeps expired assets in use, as Campaigns 2026 chose.
        assert api["viewer"].get(f"/api/v1/assets/{kept.uid}/").status_code == 200
        assert str(kept.uid) in {r["uid"] for r in api["viewer"].get("/api/v1/assets/").json()["results"]}
        assert services.rights_daily()["expired"] == 1
    assert RightsNotice.objects.get(asset=kept, kind="expired").action == "notify"
    kept.refresh_from_db()
    assert kept.archived_at is None

    # The middle folder chooses archive: the leaf's next expired asset goes to the archive.
    choose(middle, "archive", actor=tree["marta"])
    archived = expired_asset_in(people, leaf, "Poster archived")
    with clock(AFTER):
        assert api["viewer"].get(f"/api/v1/assets/{archived.uid}/").status_code == 404  # hidden before the job
        counts = services.rights_daily()
    assert counts == {"reminders": 0, "expired": 1, "archived": 1}
    archived.refresh_from_db()
    assert archived.archived_at is not None
    assert RightsNotice.objects.get(asset=archived, kind="expired").action == "archive"

    # The leaf's own choice beats both ancestors'.
    choose(leaf, "hide")
    hidden = expired_asset_in(people, leaf, "Poster hidden")
    with clock(AFTER):
        assert api["viewer"].get(f"/api/v1/assets/{hidden.uid}/").status_code == 404
        assert services.rights_daily() == {"reminders": 0, "expired": 1, "archived": 0}
    hidden.refresh_from_db()
    assert hidden.archived_at is None and RightsNotice.objects.get(asset=hidden, kind="expired").action == "hide"


def test_moving_a_folder_changes_what_it_inherits(tree, people, api):
    top, leaf = tree["top"], tree["leaf"]
    choose(top, "notify")
    asset = expired_asset_in(people, leaf, "Moved poster")
    elsewhere = make_collection("Elsewhere")
    collection_grant(collection=elsewhere, level="view", user=people["viewer"], actor=None)
    with clock(AFTER):
        assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code == 200
    Collection.objects.filter(pk=leaf.pk).update(parent=elsewhere, path=f"{elsewhere.path}{leaf.pk}/")
    Collection.objects.get(pk=leaf.pk).save()  # any saved folder (a move included) forgets the cached answer
    with clock(AFTER):
        assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code == 404


def test_the_form_shows_what_holds_and_where_it_comes_from(tree, web):
    top, middle, leaf = tree["top"], tree["middle"], tree["leaf"]
    choose(top, "notify")
    client = web("viewer")
    client.force_login(tree["marta"])
    url = f"/archive/rights/collections/{leaf.pk}/expiry/"
    page = client.get(url).content.decode()
    assert "When an asset's rights expire here now: <strong>Notify only, from Campaigns 2026</strong>" in page
    assert "As the parent folder (now: Notify only, from Campaigns 2026)" in page
    top_page = client.get(f"/archive/rights/collections/{top.pk}/expiry/").content.decode()
    assert "Notify only, this folder&#x27;s own choice" in top_page
    assert "No choice of its own: hide, as every top-level folder without one" in top_page
    # A choice that is not offered: the form again, the sentence beside the field, nothing changed.
    refused = client.post(url, {"action": "burn"})
    assert refused.status_code == 400 and "Choose one of the listed actions." in refused.content.decode()
    leaf.refresh_from_db()
    assert leaf.rights_on_expiry == "inherit"
    saved = client.post(f"/archive/rights/collections/{middle.pk}/expiry/", {"action": "hide"}, follow=True)
    assert "Hide, this folder&#x27;s own choice" in saved.content.decode()
    assert "Hide, from Spring" in client.get(url).content.decode()
    client.post(f"/archive/rights/collections/{middle.pk}/expiry/", {"action": "inherit"})
    assert "Notify only, from Campaigns 2026" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(verb="archive.rights.expiry_action_set", target_id=str(middle.pk)).count() == 2


def test_the_api_gives_the_own_and_the_effective_choice(tree, api, people, web):
    top, leaf = tree["top"], tree["leaf"]
    choose(top, "archive")
    soon = make_asset(people["contributor"], leaf, approved=True, title="Poster soon")
    Asset.objects.filter(pk=soon.pk).update(rights_expire_at=T0 + timedelta(days=5))
    rows = api["admin"].get("/api/v1/rights/expiring/").json()["results"]
    assert [r["on_expiry"] for r in rows if r["uid"] == str(soon.uid)] == ["archive"]
    assert "Move it to the archive" in web("admin").get("/archive/rights/expiring/").content.decode()
    answer = api["viewer"].get(f"/api/v1/rights/collections/{leaf.pk}/").json()
    assert answer == {"on_expiry": "inherit", "effective": "archive",
                      "effective_from": {"id": top.pk, "name": "Campaigns 2026"}}
    patched = api["admin"].patch(f"/api/v1/rights/collections/{leaf.pk}/", {"on_expiry": "notify"}, format="json")
    assert patched.json()["effective"] == "notify"
    assert api["admin"].patch(f"/api/v1/rights/collections/{leaf.pk}/", {"on_expiry": "inherit"},
                              format="json").json()["effective"] == "archive"


def test_the_migration_keeps_the_choices_people_made(db):
    """assets/0031: folders still at the old default that nobody chose inherit; chosen ones keep their value."""
    migration = importlib.import_module("assets.migrations.0031_collection_expiry_inherited")
    top = make_collection("Old top")
    untouched = make_collection("Never chosen", parent=top)
    chosen_hide = make_collection("Chosen hide", parent=top)
    notify = make_collection("Notify", parent=top)
    Collection.objects.filter(pk__in=[top.pk, untouched.pk, chosen_hide.pk]).update(rights_on_expiry="hide")
    Collection.objects.filter(pk=notify.pk).update(rights_on_expiry="notify")
    AuditEvent.objects.create(verb="archive.rights.expiry_action_set", target_id=str(chosen_hide.pk),
                              target_type_id=_collection_type().pk, data={"action": "hide"})
    migration.inherit_where_nobody_chose(apps, None)
    assert dict(Collection.objects.filter(pk__in=[top.pk, untouched.pk, chosen_hide.pk, notify.pk])
                .values_list("name", "rights_on_expiry")) == {
        "Old top": "inherit", "Never chosen": "inherit", "Chosen hide": "hide", "Notify": "notify"}


def _collection_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Collection)
