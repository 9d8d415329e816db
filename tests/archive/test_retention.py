"""Retention rules: the dry run lists exactly what the run then does; holds and reviews are skipped and
reported; the confirmation threshold; only admins."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from archive.models import RetentionRule
from archive.retention import selectors, services
from assets.models import Asset, ReviewState
from distribution.models import DownloadEvent
from tests.factories import make_asset, make_collection
from workflows import services as workflow

pytestmark = pytest.mark.django_db


def age(asset: Asset, days: int) -> Asset:
    """Move the asset's upload back in time (the tests move time; they never sleep)."""
    Asset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(days=days))
    asset.refresh_from_db()
    return asset


def rule(actor, **values) -> RetentionRule:
    values.setdefault("name", "Old campaign assets")
    values.setdefault("action", RetentionRule.Action.ARCHIVE)
    return services.rule_create(actor=actor, **values)


def planned(rule_: RetentionRule) -> tuple[set[str], dict[str, str]]:
    plan = selectors.rule_plan(rule_)
    return ({str(a.uid) for a in plan.to_act},
            {str(a.uid): selectors.skip_reason(a) for a in plan.skipped})


def test_dry_run_lists_exactly_what_the_run_does(people):
    campaign = make_collection("Campaign 2024")
    spring = make_collection("Spring", parent=campaign)
    elsewhere = make_collection("Brand")
    old_unused = age(make_asset(people["editor"], spring, approved=True, title="Old unused"), 800)
    old_used = age(make_asset(people["editor"], campaign, approved=True, title="Old used"), 800)
    DownloadEvent.objects.create(asset=old_used, rendition="original")  # downloaded today
    young = age(make_asset(people["editor"], campaign, approved=True, title="Young"), 100)
    other_folder = age(make_asset(people["editor"], elsewhere, approved=True, title="Other folder"), 800)
    held = age(make_asset(people["editor"], spring, approved=True, title="Held"), 800)
    services.hold_place(actor=people["admin"], asset=held, reason="Litigation 2026-17")
    in_review = age(make_asset(people["editor"], campaign, title="In review"), 800)
    workflow.version_submit(version_id=in_review.current_version_id, actor=None)

    r = rule(people["admin"], collection=campaign, not_downloaded_days=730)
    to_act, skipped = planned(r)
    assert to_act == {str(old_unused.uid)}
    assert skipped == {str(held.uid): selectors.HELD, str(in_review.uid): selectors.IN_REVIEW}

    run = services.rule_run(rule=r, actor=people["admin"])
    archived = set(Asset.objects.filter(archived_at__isnull=False).values_list("uid", flat=True))
    assert {str(u) for u in archived} == to_act
    assert run.acted == 1
    assert {(s["uid"], s["reason"]) for s in run.skipped} == {
        (str(held.uid), "Under legal hold"), (str(in_review.uid), "Its current revision is in review")}
    events = AuditEvent.objects.filter(verb="archive.asset.archived", data__run=run.pk)
    assert [e.target_id for e in events] == [str(old_unused.pk)]
    for untouched in (old_used, young, other_folder, held, in_review):
        untouched.refresh_from_db()
        assert untouched.archived_at is None
    # Run twice: nothing left to do.
    assert services.rule_run(rule=r, actor=None).acted == 0


def test_conditions_on_type_state_terms_and_archived_age(people):
    from taxonomy.models import Vocabulary
    from tests.factories import make_term

    vocabulary = Vocabulary.objects.create(title="Topics", uri="https://example.org/topics/")
    winter = make_term(vocabulary, "Winter")
    tagged = age(make_asset(people["editor"], title="Tagged draft"), 120)
    tagged.terms.add(winter)
    untagged = age(make_asset(people["editor"], title="Untagged draft"), 120)
    rejected = age(make_asset(people["editor"], title="Rejected"), 120)
    workflow.version_submit(version_id=rejected.current_version_id, actor=None)
    workflow.version_reject(version_id=rejected.current_version_id, actor=None, comment="Off brand")

    drafts = rule(people["admin"], name="Winter drafts", action="bin", review_state=ReviewState.DRAFT,
                  asset_type="image", older_than_days=90, terms=[winter])
    assert planned(drafts)[0] == {str(tagged.uid)}
    rejects = rule(people["admin"], name="Rejected drafts", action="bin", review_state=ReviewState.REJECTED,
                   older_than_days=90)
    assert planned(rejects)[0] == {str(rejected.uid)}
    assert str(untagged.uid) not in planned(drafts)[0] | planned(rejects)[0]

    long_archived = make_asset(people["editor"], approved=True, title="Archived long ago")
    Asset.objects.filter(pk=long_archived.pk).update(archived_at=timezone.now() - timedelta(days=7 * 366))
    recently = make_asset(people["editor"], approved=True, title="Archived lately")
    Asset.objects.filter(pk=recently.pk).update(archived_at=timezone.now() - timedelta(days=30))
    seven_years = rule(people["admin"], name="Archived 7 years", action="bin", archived_for_days=7 * 365)
    assert planned(seven_years)[0] == {str(long_archived.uid)}


def test_an_asset_without_a_current_version_is_not_taken_for_one_in_review(people):
    asset = age(make_asset(people["editor"], title="Versionless"), 40)
    Asset.objects.filter(pk=asset.pk).update(current_version=None)
    assert planned(rule(people["admin"], older_than_days=30)) == ({str(asset.uid)}, {})


def test_a_rule_needs_a_condition_and_sense(people):
    with pytest.raises(ValidationError) as error:
        rule(people["admin"])
    assert "at least one condition" in str(error.value)
    with pytest.raises(ValidationError) as error:
        rule(people["admin"], archived_for_days=10)
    assert "archived_for_days" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rule(people["admin"], action="bin", review_state=ReviewState.IN_REVIEW)
    assert "never touched" in str(error.value)
    rule(people["admin"], older_than_days=10)
    with pytest.raises(ValidationError) as error:
        rule(people["admin"], name="old campaign ASSETS", older_than_days=20)
    assert "already has this name" in str(error.value)
    assert RetentionRule.objects.count() == 1


def test_legal_hold_on_a_collection_covers_its_subfolders_until_lifted(people):
    legal = make_collection("Legal")
    contracts = make_collection("Contracts", parent=legal)
    asset = age(make_asset(people["editor"], contracts, approved=True), 400)
    hold = services.hold_place(actor=people["admin"], collection=legal, reason="Audit by the regulator")
    r = rule(people["admin"], action="bin", older_than_days=365)
    assert planned(r) == (set(), {str(asset.uid): selectors.HELD})
    services.rule_run(rule=r, actor=people["admin"])
    asset.refresh_from_db()
    assert asset.binned_at is None
    services.hold_lift(hold=hold, actor=people["admin"], reason="Audit closed")
    assert AuditEvent.objects.filter(verb="archive.legal_hold.lifted", data__reason="Audit closed").exists()
    services.rule_run(rule=r, actor=people["admin"])
    asset.refresh_from_db()
    assert asset.binned_at is not None and asset.archived_at is not None


def test_hold_needs_a_reason_and_is_not_doubled(people):
    asset = make_asset(people["editor"])
    with pytest.raises(ValidationError):
        services.hold_place(actor=people["admin"], asset=asset, reason="  ")
    services.hold_place(actor=people["admin"], asset=asset, reason="Claim")
    from dam.errors import StateConflict

    with pytest.raises(StateConflict):
        services.hold_place(actor=people["admin"], asset=asset, reason="Claim again")


@pytest.mark.parametrize("role", ["librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"])
def test_only_admins_manage_retention(people, role):
    asset = make_asset(people["editor"])
    with pytest.raises(PermissionDenied):
        rule(people[role], older_than_days=1)
    with pytest.raises(PermissionDenied):
        services.hold_place(actor=people[role], asset=asset, reason="Claim")
    with pytest.raises(PermissionDenied):
        services.asset_bin(asset=asset, actor=people[role])


def test_enabling_over_the_threshold_needs_a_second_confirmation(people, settings):
    settings.DAM_RETENTION_CONFIRM_OVER = 2
    for n in range(3):
        age(make_asset(people["editor"], title=f"Old {n}"), 50)
    r = rule(people["admin"], older_than_days=30)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        services.rule_enable(rule=r, actor=people["admin"])
    assert asked.value.count == 3 and "more than 2" in str(asked.value)
    with pytest.raises(services.ConfirmationNeeded):
        services.rule_enable(rule=r, actor=people["admin"], confirm=2)  # not the count the dry run showed
    r = services.rule_enable(rule=r, actor=people["admin"], confirm=3)
    assert r.enabled and r.confirmed_count == 3
    # Its matches grow past what was confirmed: the schedule refuses to act, and says so.
    age(make_asset(people["editor"], title="Old 4"), 50)
    run = services.run_enabled_rules()[0]
    assert run.acted == 0 and "would act on 4 assets" in run.refused
    assert Asset.objects.filter(archived_at__isnull=False).count() == 0
    # An admin who looked may run it by hand.
    assert services.rule_run(rule=r, actor=people["admin"]).acted == 4


def test_under_the_threshold_enabling_needs_no_confirmation_and_editing_disables(people, settings):
    settings.DAM_RETENTION_CONFIRM_OVER = 5
    age(make_asset(people["editor"]), 50)
    r = services.rule_enable(rule=rule(people["admin"], older_than_days=30), actor=people["admin"])
    assert r.enabled and r.confirmed_count is None
    r = services.rule_update(rule=r, actor=people["admin"], description="Kept for the record")
    assert r.enabled  # a description changes nothing it does
    r = services.rule_update(rule=r, actor=people["admin"], older_than_days=10)
    assert not r.enabled


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("DAM_BIN_GRACE_DAYS", "thirty", "DAM_BIN_GRACE_DAYS must be a whole number"),
    ("DAM_RETENTION_CONFIRM_OVER", "-1", "DAM_RETENTION_CONFIRM_OVER must be at least 0"),
])
def test_a_bad_setting_stops_start_up_naming_it(variable, value, says, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, variable: value, "DAM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "dam.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", "import dam.settings"], env=env, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert done.returncode != 0 and says in done.stderr
