"""The rule form's actions builder: rows make the same rule as the API's JSON, errors show in their row,
the row buttons work without JavaScript, and the schedule is chosen in words with its errors beside it."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from taxonomy.models import MetadataField, Vocabulary
from tests.factories import library, make_collection, make_term
from workflows.automation.models import AutomationRule
from workflows.models import ApprovalPolicy

NEW = "/settings/automation/new/"
API = "/api/v1/automation-rules/"
COMPARED = ("trigger", "trigger_params", "conditions", "actions", "enabled")


@pytest.fixture
def things(db):
    vocab = Vocabulary.objects.create(uri="https://example.org/v/", title="Subjects")
    Group.objects.create(name="Social media team")
    MetadataField.objects.create(key="channel", label="Channel")
    return {"ready": make_collection("Ready for publishing", parent=library()),
            "press": make_collection("Press kit", parent=library()),
            "web": make_term(vocab, "Web"), "print": make_term(vocab, "Print"),
            "policy": ApprovalPolicy.objects.create(name="Legal only")}


def _row(page: str, rid: str) -> str:
    start = page.index(f'data-step="{rid}"')
    return page[start:page.index("</li>", start)]


def test_rows_make_the_same_rule_as_the_api_json(web, api, things):
    t = things
    actions = [
        {"type": "add_terms", "params": {"terms": [t["web"].uri, t["print"].uri]}},
        {"type": "set_metadata", "params": {"field": "channel", "value": "web"}},
        {"type": "copy", "params": {"collection": t["press"].pk}},
        {"type": "move", "params": {"collection": t["ready"].pk}},
        {"type": "start_review", "params": {"policy": t["policy"].pk}},
        {"type": "notify", "params": {"users": ["editor", "librarian"], "groups": ["Social media team"],
                                      "message": "{title} is ready"}},
    ]
    made = api["admin"].post(API, {"name": "By JSON", "trigger": "schedule", "enabled": False,
                                   "trigger_params": {"every": "week", "weekday": "monday", "time": "06:00"},
                                   "conditions": {"asset_types": ["image"]}, "actions": actions}, format="json")
    assert made.status_code == 201, made.json()
    # The same rule, row by row; the rows are posted out of order of their ids, as after moving them.
    form = {"name": "By form", "trigger": "schedule", "every": "week", "weekday": "monday", "at_time": "06:00",
            "asset_types": ["image"], "steps": ["5", "1", "2", "3", "4", "0"],
            "step-5-type": "add_terms", "step-5-terms": [str(t["web"].pk), str(t["print"].pk)],
            "step-1-type": "set_metadata", "step-1-field": "channel", "step-1-value": "web",
            "step-2-type": "copy", "step-2-collection": str(t["press"].pk),
            "step-3-type": "move", "step-3-collection": str(t["ready"].pk),
            "step-4-type": "start_review", "step-4-policy": str(t["policy"].pk),
            "step-0-type": "notify", "step-0-users": "editor, librarian", "step-0-groups": ["Social media team"],
            "step-0-message": "{title} is ready"}
    answer = web("admin").post(NEW, form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    by_json, by_form = AutomationRule.objects.get(name="By JSON"), AutomationRule.objects.get(name="By form")
    assert {k: getattr(by_form, k) for k in COMPARED} == {k: getattr(by_json, k) for k in COMPARED}
    assert by_form.trigger_params == {"every": "week", "weekday": "monday", "time": "06:00"}


def test_editing_shows_each_step_with_its_values(web, things, people):
    t = things
    made = web("admin").post(NEW, {
        "name": "Tell", "trigger": "version_approved", "steps": ["0", "1"],
        "step-0-type": "add_terms", "step-0-terms": [str(t["web"].pk)],
        "step-1-type": "notify", "step-1-groups": ["Social media team"], "step-1-message": "Hi {title}"})
    assert made.status_code == 302
    rule = AutomationRule.objects.get()
    page = web("admin").get(f"/settings/automation/{rule.pk}/edit/").content.decode()
    terms, notify = _row(page, "0"), _row(page, "1")
    assert '<option value="add_terms" selected>' in terms and f'value="{t["web"].pk}"' in terms and "Web" in terms
    assert '<option value="notify" selected>' in notify and "Hi {title}" in notify
    assert 'value="Social media team"' in notify and "checked" in notify


def test_a_bad_row_shows_its_error_in_that_row(web, things):
    t = things
    answer = web("admin").post(NEW, {
        "name": "Half right", "trigger": "version_approved", "steps": ["0", "1", "2"],
        "step-0-type": "move", "step-0-collection": str(t["ready"].pk),
        "step-1-type": "notify", "step-1-users": "nobody", "step-1-message": "",
        "step-2-type": ""})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "form-errors" not in _row(page, "0")
    assert "There is no user “nobody”." in _row(page, "1") and "Write the message to send." in _row(page, "1")
    assert "Choose an action." in _row(page, "2")
    assert not AutomationRule.objects.exists()


def test_no_steps_is_refused(web):
    answer = web("admin").post(NEW, {"name": "Empty", "trigger": "version_approved"})
    assert answer.status_code == 400 and "Add at least one action." in answer.content.decode()


def test_the_row_buttons_work_without_javascript(web, things):
    t = things
    base = {"name": "Rows", "trigger": "version_approved", "steps": ["0", "1"],
            "step-0-type": "move", "step-0-collection": str(t["ready"].pk),
            "step-1-type": "archive", "step-1-reason": "Done"}
    client = web("admin")
    added = client.post(NEW, {**base, "_add": "1"}).content.decode()
    rows = added.split("data-step-template")[0]  # the rows, before the empty ones the script copies
    assert rows.count('name="steps"') == 3 and 'data-step="2"' in rows  # a third, empty row
    assert "form-errors" not in rows  # rebuilt, not checked
    moved = client.post(NEW, {**base, "_move": "1:up"}).content.decode()
    assert moved.index('data-step="1"') < moved.index('data-step="0"')
    removed = client.post(NEW, {**base, "_remove": "0"}).content.decode()
    assert 'data-step="0"' not in removed and 'value="Done"' in _row(removed, "1")
    shown = client.post(NEW, {**base, "step-1-type": "copy", "_refresh": "1"}).content.decode()
    assert 'name="step-1-collection"' in _row(shown, "1")  # the new action's own fields
    assert not AutomationRule.objects.exists()


def test_the_schedule_is_chosen_in_words_with_errors_beside_it(web, things):
    form = {"name": "Weekly", "trigger": "schedule", "every": "week", "weekday": "", "at_time": "25:00",
            "steps": ["0"], "step-0-type": "archive"}
    answer = web("admin").post(NEW, form)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert '<p class="error" id="id_weekday_error">Choose the day of the week.</p>' in page
    assert ('<p class="error" id="id_at_time_error">Give the time as hours and minutes on a 24-hour clock, '
            'e.g. 06:00 or 18:30.</p>') in page
    answer = web("admin").post(NEW, {**form, "weekday": "friday", "at_time": "07:30"})
    assert answer.status_code == 302
    rule = AutomationRule.objects.get()
    assert rule.trigger_params == {"every": "week", "weekday": "friday", "time": "07:30"}
    page = web("admin").get(rule.get_absolute_url()).content.decode()
    assert "On a schedule (every Friday at 07:30)" in page
    assert "On a schedule (every Friday at 07:30)" in web("admin").get("/settings/automation/").content.decode()
