"""Automation rules: each trigger and action, order, idempotence, loops, the owner's permissions, dry runs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import describe, events_for
from archive import services as archive_services
from archive.rights import services as rights_services
from assets import services as asset_services
from assets.models import Asset, AssetTerm, ReviewState
from taxonomy.models import MetadataField, Vocabulary
from tests.factories import library, make_collection, make_term, upload_as
from workflows import services as workflow
from workflows.automation import engine, services
from workflows.automation.models import AutomationRule, AutomationRun
from workflows.models import ApprovalPolicy, Notification


@pytest.fixture
def vocab(db):
    return Vocabulary.objects.create(uri="https://example.org/v/", title="Subjects")


@pytest.fixture
def rule_for(people):
    def make(trigger="asset_ingested", actions=None, owner="admin", **extra):
        actions = actions or [{"type": "notify", "params": {"users": ["editor"], "message": "New: {title}"}}]
        return services.rule_create(actor=people[owner], name=f"Rule on {trigger}", trigger=trigger,
                                    actions=actions, enabled=True, **extra)
    return make


def _runs(rule: AutomationRule) -> list[AutomationRun]:
    return list(AutomationRun.objects.filter(rule=rule, dry_run=False))


def _approve(people, asset: Asset) -> None:
    version_id = asset.current_version_id
    workflow.version_submit(version_id=version_id, actor=people["contributor"])
    workflow.version_approve(version_id=version_id, actor=people["editor"])
    workflow.version_approve(version_id=version_id, actor=people["brand_manager"])


# --- triggers ----------------------------------------------------------------------------------------------

def test_asset_ingested_fires_after_commit(people, rule_for, django_capture_on_commit_callbacks):
    rule = rule_for("asset_ingested")
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], title="Harbour")
    [run] = _runs(rule)
    assert run.asset == asset and run.status == AutomationRun.Status.DONE
    assert Notification.objects.filter(recipient=people["editor"], message="New: Harbour").count() == 1


def test_nothing_fires_when_the_transaction_rolls_back(people, rule_for, django_capture_on_commit_callbacks):
    rule = rule_for("asset_ingested")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        upload_as(people["contributor"])
        raise RuntimeError("undo")
    assert not _runs(rule) and not Asset.objects.exists()


@pytest.mark.parametrize("trigger, reached", [
    ("version_submitted", "submit"), ("version_approved", "approve"), ("changes_requested", "changes")])
def test_review_triggers(people, rule_for, django_capture_on_commit_callbacks, trigger, reached):
    rule = rule_for(trigger)
    asset = upload_as(people["contributor"])
    version_id = asset.current_version_id
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_submit(version_id=version_id, actor=people["contributor"])
        if reached == "changes":
            workflow.version_request_changes(version_id=version_id, actor=people["editor"], comment="Crop it.")
        if reached == "approve":
            workflow.version_approve(version_id=version_id, actor=people["editor"])
            assert not _runs(rule)  # one step of two passed: not the final approval yet
            workflow.version_approve(version_id=version_id, actor=people["brand_manager"])
    assert [r.trigger for r in _runs(rule)] == [trigger]


def test_term_added_fires_only_when_a_term_is_added(people, rule_for, vocab, django_capture_on_commit_callbacks):
    rule = rule_for("term_added")
    term = make_term(vocab, "Beach")
    asset = upload_as(people["contributor"])
    with django_capture_on_commit_callbacks(execute=True):
        asset_services.asset_update(asset=asset, actor=people["editor"], changes={"title": "Retitled"})
    assert not _runs(rule)
    with django_capture_on_commit_callbacks(execute=True):
        asset_services.asset_update(asset=asset, actor=people["editor"], changes={"terms": [term.uri]})
    assert len(_runs(rule)) == 1


def test_archive_and_rights_triggers(people, rule_for, settings, django_capture_on_commit_callbacks):
    settings.DAM_RIGHTS_REMINDER_DAYS = [30, 7]
    expiring = rule_for("rights_expiring", trigger_params={"days": 7})
    expired = rule_for("rights_expired")
    archived = rule_for("asset_archived")
    asset = upload_as(people["contributor"])
    now = timezone.now()
    Asset.objects.filter(pk=asset.pk).update(rights_expire_at=now + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        rights_services.rights_daily(now=now)  # the 7-day reminder (the 30-day one is passed over)
    assert len(_runs(expiring)) == 1 and not _runs(expired)
    with django_capture_on_commit_callbacks(execute=True):
        rights_services.rights_daily(now=now + timedelta(days=6))
    assert len(_runs(expired)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        archive_services.asset_archive(asset=Asset.objects.get(pk=asset.pk), actor=people["admin"])
    assert len(_runs(archived)) == 1


def test_rights_expiring_days_must_be_a_reminder_threshold(people, rule_for, settings):
    settings.DAM_RIGHTS_REMINDER_DAYS = [30, 7]
    with pytest.raises(ValidationError) as exc:
        rule_for("rights_expiring", trigger_params={"days": 12})
    assert exc.value.message_dict["trigger"] == [
        "Choose how many days before the rights expire: one of 7, 30 (the reminder days, DAM_RIGHTS_REMINDER_DAYS)."]


# --- actions, in order -------------------------------------------------------------------------------------

def test_actions_run_in_order_as_the_owner(people, rule_for, vocab, django_capture_on_commit_callbacks):
    MetadataField.objects.create(key="channel", label="Channel")
    ready = make_collection("Ready for publishing", parent=library())
    keep, drop = make_term(vocab, "Summer"), make_term(vocab, "Draft")
    rule = rule_for("asset_ingested", actions=[
        {"type": "add_terms", "params": {"terms": [keep.uri]}},
        {"type": "remove_terms", "params": {"terms": [drop.uri]}},
        {"type": "set_metadata", "params": {"field": "channel", "value": "web"}},
        {"type": "move", "params": {"collection": ready.pk}},
        {"type": "start_review", "params": {}},
        {"type": "notify", "params": {"users": ["editor"], "message": "{title} is in {folder}"}},
    ])
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], title="Poster")
    [run] = _runs(rule)
    assert run.status == AutomationRun.Status.DONE, run.error
    assert run.actions_done == [
        "Add the term “Summer”.",
        "It has none of “Draft”: nothing to remove.",
        "Set its field “channel” to “web”.",
        "Move it from “Library” into “Ready for publishing”.",
        "Submit v1 for review under the policy “Default: editor, then brand manager”.",
        "Tell editor (1 person): “Poster is in Ready for publishing”",
    ]
    asset.refresh_from_db()
    assert asset.collection == ready and asset.metadata["channel"] == "web"
    assert list(AssetTerm.objects.filter(asset=asset).values_list("term__label", flat=True)) == ["Summer"]
    assert asset.current_version.review_state == ReviewState.IN_REVIEW
    assert Notification.objects.filter(recipient=people["editor"], message="Poster is in Ready for publishing").exists()
    # Done as the owner (the admin), and the run reads as a sentence in the asset's history.
    texts = [describe(e).text for e in events_for(asset)]
    assert all(e.actor == people["admin"] for e in events_for(asset) if e.verb == "assets.asset.updated")
    assert "admin automated “Poster” with the rule “Rule on asset_ingested”: Add the term “Summer”. It has none of " \
        "“Draft”: nothing to remove." in " ".join(texts)


def test_remove_terms_and_archive(people, rule_for, vocab, django_capture_on_commit_callbacks):
    old = make_term(vocab, "Old")
    asset = upload_as(people["contributor"])
    asset_services.asset_update(asset=asset, actor=people["editor"], changes={"terms": [old.uri]})
    rule = rule_for("version_submitted", actions=[{"type": "remove_terms", "params": {"terms": [old.uri]}},
                                                  {"type": "archive", "params": {"reason": "Superseded"}}])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_submit(version_id=asset.current_version_id, actor=people["contributor"])
    [run] = _runs(rule)
    assert run.actions_done == ["Remove the term “Old”.", "Archive it (Superseded)."]
    asset.refresh_from_db()
    assert asset.archived_at is not None and not AssetTerm.objects.filter(asset=asset).exists()


def test_start_review_with_a_chosen_policy(people, rule_for, django_capture_on_commit_callbacks):
    policy = ApprovalPolicy.objects.create(name="Legal only")
    policy.steps.create(position=1, name="Legal", group=Group.objects.get(name="Brand manager"))
    rule = rule_for("asset_ingested", actions=[{"type": "start_review", "params": {"policy": policy.pk}}])
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"])
    assert _runs(rule)[0].actions_done == ["Submit v1 for review under the policy “Legal only”."]
    assert asset.current_version.reviews.get().policy == policy


def test_notify_tells_only_people_who_can_see_the_asset(people, rule_for, django_capture_on_commit_callbacks):
    team = Group.objects.create(name="Social media team")
    people["viewer"].groups.add(team)
    people["editor"].groups.add(team)
    rule = rule_for("asset_ingested", actions=[
        {"type": "notify", "params": {"groups": ["Social media team"], "message": "New draft {title}"}}])
    with django_capture_on_commit_callbacks(execute=True):
        upload_as(people["contributor"], title="Draft")
    assert _runs(rule)[0].actions_done == [
        "Tell Social media team (1 person): “New draft Draft” 1 of them cannot see this asset and are not told."]
    assert set(Notification.objects.filter(message="New draft Draft").values_list("recipient__username", flat=True)) \
        == {"editor"}  # the viewer does not see drafts


# --- idempotence and loops ---------------------------------------------------------------------------------

def test_the_same_event_twice_changes_nothing_more(people, rule_for, vocab, django_capture_on_commit_callbacks):
    term = make_term(vocab, "Summer")
    rule = rule_for("asset_ingested", actions=[{"type": "add_terms", "params": {"terms": [term.uri]}},
                                               {"type": "notify", "params": {"users": ["editor"], "message": "Hi"}}])
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"])
    [run] = _runs(rule)
    again = engine.run_rule(rule_id=rule.pk, asset_id=asset.pk, trigger="asset_ingested", event_key=run.event_key)
    assert again.pk == run.pk and len(_runs(rule)) == 1
    assert Notification.objects.filter(message="Hi").count() == 1
    # A new event runs again, and each action sees its effect is already there.
    second = engine.run_rule(rule_id=rule.pk, asset_id=asset.pk, trigger="asset_ingested", event_key="by-hand")
    assert second.actions_done[0] == "It already has “Summer”: nothing to add."
    assert AssetTerm.objects.filter(asset=asset).count() == 1


def test_a_retried_run_does_not_notify_twice(people, rule_for, django_capture_on_commit_callbacks):
    rule = rule_for("asset_ingested")
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], title="Once")
    run = _runs(rule)[0]
    AutomationRun.objects.filter(pk=run.pk).update(status=AutomationRun.Status.RUNNING)  # as if its worker died
    engine.run_rule(rule_id=rule.pk, asset_id=asset.pk, trigger="asset_ingested", event_key=run.event_key)
    assert Notification.objects.filter(message="New: Once").count() == 1


def test_an_action_that_would_refire_its_own_rule_is_not_run(people, rule_for, vocab,
                                                             django_capture_on_commit_callbacks):
    first, second = make_term(vocab, "First"), make_term(vocab, "Second")
    rule = rule_for("term_added", actions=[{"type": "add_terms", "params": {"terms": [second.uri]}}])
    asset = upload_as(people["contributor"])
    with django_capture_on_commit_callbacks(execute=True):
        asset_services.asset_update(asset=asset, actor=people["editor"], changes={"terms": [first.uri]})
    [run] = _runs(rule)
    assert run.actions_done == ["Not done (add terms): it would set this rule off again on the same asset."]
    assert not AssetTerm.objects.filter(asset=asset, term=second).exists()


def test_a_rule_met_again_in_its_own_chain_stops(people, rule_for):
    rule = rule_for("asset_ingested")
    asset = upload_as(people["contributor"])
    run = engine.run_rule(rule_id=rule.pk, asset_id=asset.pk, trigger="asset_ingested", event_key="e1",
                          chain=[[rule.pk, asset.pk]])
    assert run.status == AutomationRun.Status.STOPPED and "would loop" in run.error
    assert not Notification.objects.filter(message__startswith="New:").exists()


def test_rules_set_off_by_rules_stop_at_the_depth_limit(people, rule_for, settings,
                                                        django_capture_on_commit_callbacks):
    settings.DAM_AUTOMATION_MAX_CHAIN = 1
    # ingest -> rule A submits it -> rule B (on submission) would be the second rule in a row: stopped.
    a = rule_for("asset_ingested", actions=[{"type": "start_review", "params": {}}])
    b = rule_for("version_submitted")
    with django_capture_on_commit_callbacks(execute=True):
        upload_as(people["contributor"])
    assert _runs(a)[0].status == AutomationRun.Status.DONE
    [stopped] = _runs(b)
    assert stopped.status == AutomationRun.Status.STOPPED and stopped.depth == 1
    assert stopped.error == "Stopped: 1 rules in a row set each other off before this one; the limit is 1."


# --- the owner's permissions -------------------------------------------------------------------------------

def test_a_folder_managers_rule_acts_in_their_folders_and_as_them(people, django_capture_on_commit_callbacks):
    mine, theirs = make_collection("Mine", parent=library()), make_collection("Theirs")  # a root nobody is granted
    manager = people["editor"]  # an editor who was made manager of one folder
    asset_services.collection_grant(collection=mine, level="manage", actor=None, user=manager)
    with pytest.raises(ValidationError):  # a manager's rule must stay in folders they manage
        services.rule_create(actor=manager, name="Too wide", trigger="asset_ingested", enabled=True,
                             actions=[{"type": "archive", "params": {}}])
    rule = services.rule_create(actor=manager, name="Tidy", trigger="asset_ingested", enabled=True, scope=[mine],
                                actions=[{"type": "move", "params": {"collection": theirs.pk}}])
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], mine)
        upload_as(people["contributor"])
    [run] = _runs(rule)  # the asset outside the rule's folders is left alone
    assert run.asset == asset and run.status == AutomationRun.Status.FAILED
    assert run.error == "Move to a folder: editor, who owns the rule, may not add assets to “Theirs”."
    asset.refresh_from_db()
    assert asset.collection == mine


def test_a_failing_action_stops_the_rule_and_keeps_the_event(people, rule_for, django_capture_on_commit_callbacks):
    # The rule's owner is (now) someone who may not archive: the rule stops at that step, with the reason.
    rule = rule_for("version_submitted", actions=[{"type": "archive", "params": {}},
                                                  {"type": "notify", "params": {"users": ["editor"],
                                                                                "message": "Archived"}}])
    AutomationRule.objects.filter(pk=rule.pk).update(owner=people["editor"])
    asset = upload_as(people["contributor"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_submit(version_id=asset.current_version_id, actor=people["contributor"])
    [run] = _runs(rule)
    assert run.status == AutomationRun.Status.FAILED
    assert run.error == f"Archive: editor, who owns the rule, may not archive “{asset.title}”."
    asset.refresh_from_db()
    assert asset.archived_at is None and asset.current_version.review_state == ReviewState.IN_REVIEW
    assert not Notification.objects.filter(message="Archived").exists()


def test_a_rule_never_approves(people, rule_for):
    with pytest.raises(ValidationError) as exc:
        rule_for("version_submitted", actions=[{"type": "approve", "params": {}}])
    assert "There is no action “approve”" in str(exc.value)


# --- dry run -----------------------------------------------------------------------------------------------

def test_dry_run_says_what_the_run_then_does(people, rule_for, vocab, django_capture_on_commit_callbacks):
    campaigns = make_collection("Campaigns", parent=library())
    ready = make_collection("Ready", parent=library())
    term = make_term(vocab, "Web")
    rule = rule_for("version_approved", conditions={"collection": campaigns.pk, "asset_types": ["image"]}, actions=[
        {"type": "add_terms", "params": {"terms": [term.uri]}},
        {"type": "move", "params": {"collection": ready.pk}},
        {"type": "notify", "params": {"users": ["editor"], "message": "{title} approved"}}])
    elsewhere = upload_as(people["contributor"])
    assert engine.dry_run(rule=rule, asset=elsewhere).reason == "it is not in the folder “Campaigns” or below it"
    asset = upload_as(people["contributor"], campaigns, title="Sale")
    planned = engine.dry_run(rule=rule, asset=asset)
    assert planned.applies and not AssetTerm.objects.filter(asset=asset).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _approve(people, asset)
    [run] = _runs(rule)
    assert run.actions_done == planned.sentences == [
        "Add the term “Web”.", "Move it from “Campaigns” into “Ready”.", "Tell editor (1 person): “Sale approved”"]


def test_conditions_are_checked_and_explained(people, rule_for):
    with pytest.raises(ValidationError) as exc:
        rule_for(conditions={"asset_types": ["poster"], "size_min": "big", "colour": "red"})
    assert exc.value.message_dict["conditions"] == [
        "“colour” is not a condition. Use: asset_types, collection, height_max, height_min, metadata, mime_types, "
        "review_states, size_max, size_min, terms_all, terms_any, width_max, width_min.",
        "“poster” is not an asset type.", "Size (min): give a whole number."]
    rule = rule_for(conditions={"mime_types": ["image/*"], "width_min": 100})
    asset = upload_as(people["contributor"])
    assert engine.dry_run(rule=rule, asset=asset).reason == "its file is 64 pixels wide, outside 100–…"
