"""Rules on a schedule: the schedule in words, due or not, a missed tick runs once, the asset limit, the owner."""
from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.audit import describe, events_for
from assets import services as asset_services
from assets.models import Asset
from tests.factories import library, make_collection, upload_as
from workflows.automation import engine, schedule, services
from workflows.automation.models import AutomationRule, AutomationRun, ScheduledPass
from workflows.models import Notification

DAILY = {"every": "day", "time": "06:00"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, in the DAM's time zone."""
    return datetime(2026, 12, day, hour, minute, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def scheduled(people):
    def make(params=None, owner="admin", since=None, **extra):
        extra.setdefault("actions", [{"type": "notify", "params": {"users": ["editor"], "message": "Due: {title}"}}])
        rule = services.rule_create(actor=people[owner], name="Every morning", trigger="schedule",
                                    trigger_params=params or DAILY, enabled=True, **extra)
        # Switched on at `since` (05:00 on the 7th unless said).
        AutomationRule.objects.filter(pk=rule.pk).update(schedule_after=since or at(7, 5))
        rule.refresh_from_db()
        return rule
    return make


def _tick(now: datetime, capture) -> list[ScheduledPass]:
    with capture(execute=True):  # the runs are queued when the tick's transaction commits
        return schedule.schedule_tick(now=now)


@pytest.mark.parametrize("params, expected", [
    ({"every": "hour"}, {"every": "hour", "minute": 0}),
    ({"every": "hour", "minute": "15"}, {"every": "hour", "minute": 15}),
    ({"every": "day", "time": "6.30"}, {"every": "day", "time": "06:30"}),
    ({"every": "week", "weekday": "Mon", "time": "18:05"}, {"every": "week", "weekday": "monday", "time": "18:05"}),
    ({"every": "week", "weekday": 4, "time": "07:00"}, {"every": "week", "weekday": "friday", "time": "07:00"}),
])
def test_a_schedule_is_cleaned_and_said_in_words(params, expected):
    assert schedule.clean_params(params) == expected
    words = schedule.describe(expected)
    assert words.startswith("every ") and (expected.get("time", "") in words)


def test_a_bad_schedule_is_refused_with_sentences(people):
    with pytest.raises(ValidationError) as exc:
        services.rule_create(actor=people["admin"], name="Bad", trigger="schedule",
                             trigger_params={"every": "week", "weekday": "someday", "time": "25:00"},
                             actions=[{"type": "archive", "params": {}}])
    assert exc.value.message_dict["trigger"] == [
        "Choose the day of the week.",
        "Give the time as hours and minutes on a 24-hour clock, e.g. 06:00 or 18:30."]
    with pytest.raises(ValidationError) as exc:
        schedule.clean_params({"every": "fortnight"})
    assert exc.value.messages == ["Choose how often the rule runs: every hour, every day or every week."]


def test_slots_of_each_kind():
    assert schedule.latest_slot({"every": "hour", "minute": 15}, at(7, 9, 10)) == at(7, 8, 15)
    assert schedule.latest_slot(DAILY, at(7, 5, 59)) == at(6, 6)
    assert schedule.latest_slot(DAILY, at(7, 6)) == at(7, 6)
    monday = {"every": "week", "weekday": "monday", "time": "06:00"}  # 7 December 2026 is a Monday
    assert schedule.latest_slot(monday, at(10, 12)) == at(7, 6)
    assert schedule.latest_slot(monday, at(7, 5)) == at(7, 6) - (at(14, 6) - at(7, 6))
    assert schedule.next_slot(monday, at(10, 12)) == at(14, 6)


def test_due_and_not_due(people, scheduled, django_capture_on_commit_callbacks):
    rule = scheduled()
    asset = upload_as(people["contributor"], title="Quay")
    assert _tick(at(7, 5, 59), django_capture_on_commit_callbacks) == []  # not yet 06:00
    [turn] = _tick(at(7, 6), django_capture_on_commit_callbacks)
    assert turn.rule == rule and turn.slot == at(7, 6) and turn.assets == 1
    [run] = AutomationRun.objects.filter(rule=rule)
    assert run.asset == asset and run.trigger == "schedule" and run.status == AutomationRun.Status.DONE
    assert run.actions_done == ["Tell editor (1 person): “Due: Quay”"]
    assert _tick(at(7, 6, 1), django_capture_on_commit_callbacks) == []  # the same slot: done already
    assert _tick(at(7, 23, 59), django_capture_on_commit_callbacks) == []
    assert Notification.objects.filter(message="Due: Quay").count() == 1
    # The rule's history says what the pass did.
    assert "The system ran the automation rule “Every morning” on its schedule: 1 asset matched" in \
        " ".join(describe(e).text for e in events_for(rule))


def test_the_slots_before_it_was_switched_on_are_not_made_up(people, scheduled, django_capture_on_commit_callbacks):
    scheduled(since=at(7, 10))  # switched on at 10:00, after that day's 06:00
    upload_as(people["contributor"])
    assert _tick(at(7, 10, 1), django_capture_on_commit_callbacks) == []
    assert len(_tick(at(8, 6), django_capture_on_commit_callbacks)) == 1


def test_switching_on_or_changing_the_schedule_starts_from_now(people, scheduled):
    rule = scheduled()
    services.rule_update(rule=rule, actor=people["admin"], enabled=False)
    before = timezone.now()
    services.rule_update(rule=rule, actor=people["admin"], enabled=True)
    rule.refresh_from_db()
    assert rule.schedule_after >= before
    AutomationRule.objects.filter(pk=rule.pk).update(schedule_after=at(1, 0))
    services.rule_update(rule=rule, actor=people["admin"], trigger_params={"every": "hour"})
    rule.refresh_from_db()
    assert rule.schedule_after >= before


def test_a_missed_tick_runs_the_slot_once(people, scheduled, django_capture_on_commit_callbacks):
    rule = scheduled()
    upload_as(people["contributor"], title="Pier")
    # The worker was down from 05:50 on the 7th until 09:30 on the 9th: the 7th's and 8th's slots were missed.
    [turn] = _tick(at(9, 9, 30), django_capture_on_commit_callbacks)
    assert turn.slot == at(9, 6)  # the latest slot, once; the older ones are not made up
    assert _tick(at(9, 9, 31), django_capture_on_commit_callbacks) == []
    assert list(rule.passes.values_list("slot", flat=True)) == [at(9, 6)]
    assert Notification.objects.filter(message="Due: Pier").count() == 1


def test_two_ticks_at_once_make_one_pass(people, scheduled, django_capture_on_commit_callbacks):
    rule = scheduled()
    upload_as(people["contributor"])
    ScheduledPass.objects.create(rule=rule, slot=at(7, 6))  # another tick claimed the slot a moment ago
    assert _tick(at(7, 6, 2), django_capture_on_commit_callbacks) == []
    assert not AutomationRun.objects.filter(rule=rule).exists()


def test_the_asset_limit_stops_a_pass_and_the_next_goes_on(people, scheduled, settings,
                                                          django_capture_on_commit_callbacks):
    settings.DAM_AUTOMATION_SCHEDULE_MAX_ASSETS = 2
    rule = scheduled()
    first, second, third = (upload_as(people["contributor"], title=t) for t in ("One", "Two", "Three"))
    [turn] = _tick(at(7, 6), django_capture_on_commit_callbacks)
    assert turn.assets == 2 and turn.resume_after == second.pk
    assert turn.note.startswith("Stopped at the limit of 2 assets (DAM_AUTOMATION_SCHEDULE_MAX_ASSETS); "
                                "more assets match.")
    assert set(AutomationRun.objects.filter(rule=rule).values_list("asset__title", flat=True)) == {"One", "Two"}
    [turn] = _tick(at(8, 6), django_capture_on_commit_callbacks)  # goes on after "Two", and comes round
    day_two = AutomationRun.objects.filter(rule=rule, event_key__contains="2026-12-08")
    assert set(day_two.values_list("asset_id", flat=True)) == {third.pk, first.pk}
    # The rule's page shows the pass and its note.
    page = _admin_page(people, rule)
    assert "Stopped at the limit of 2 assets" in page


def _admin_page(people, rule) -> str:
    from django.test import Client
    client = Client()
    client.force_login(people["admin"])
    return client.get(rule.get_absolute_url()).content.decode()


def test_a_pass_takes_only_what_the_owner_sees_inside_its_folders(people, scheduled,
                                                                 django_capture_on_commit_callbacks):
    mine, hidden = make_collection("Mine", parent=library()), make_collection("Hidden")  # a root nobody is granted
    manager = people["editor"]
    asset_services.collection_grant(collection=mine, level="manage", actor=None, user=manager)
    rule = scheduled(owner="editor", scope=[mine], conditions={"asset_types": ["image"]})
    inside = upload_as(people["contributor"], mine, title="Inside")
    upload_as(people["contributor"], title="Elsewhere")  # in the library, outside the rule's folder
    Asset.objects.create(title="Unseen", collection=hidden)  # the editor cannot see it
    [turn] = _tick(at(7, 6), django_capture_on_commit_callbacks)
    assert turn.assets == 1
    assert list(AutomationRun.objects.filter(rule=rule).values_list("asset", flat=True)) == [inside.pk]


def test_a_pass_of_a_rule_whose_owner_left_does_nothing(people, scheduled, django_capture_on_commit_callbacks):
    rule = scheduled()
    upload_as(people["contributor"])
    people["admin"].is_active = False
    people["admin"].save(update_fields=["is_active"])
    [turn] = _tick(at(7, 6), django_capture_on_commit_callbacks)
    assert turn.assets == 0 and turn.note == "Nothing done: its owner admin can no longer sign in."
    assert not AutomationRun.objects.filter(rule=rule).exists()


def test_dry_run_of_a_scheduled_rule(people, scheduled):
    rule = scheduled(conditions={"asset_types": ["video"]})
    asset = upload_as(people["contributor"], title="Still")
    assert engine.dry_run(rule=rule, asset=asset).reason == "it is an image"
    rule = scheduled()
    assert engine.dry_run(rule=rule, asset=asset).sentences == ["Tell editor (1 person): “Due: Still”"]


def test_the_tick_runs_every_minute_on_the_worker(db):
    from django_q.models import Schedule

    tick = Schedule.objects.get(name="workflows-automation-schedule")
    assert (tick.func, tick.schedule_type, tick.minutes) == (
        "workflows.automation.tasks.automation_schedule_tick_task", Schedule.MINUTES, 1)
