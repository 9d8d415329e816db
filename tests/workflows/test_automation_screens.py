"""The automation screens: who reaches them, the form's inline errors, a dry run, switching a rule on."""
from __future__ import annotations

import pytest

from tests.factories import library, make_collection, upload_as
from workflows.automation import services
from workflows.automation.models import AutomationRule

LIST = "/settings/automation/"


@pytest.mark.parametrize("persona, expected", [("admin", 200), ("librarian", 403), ("viewer", 403)])
def test_who_reaches_the_rules(web, persona, expected):
    assert web(persona).get(LIST).status_code == expected


def test_the_sidebar_shows_automation_to_admins_only(web):
    assert b'href="/settings/automation/"' in web("admin").get("/").content
    assert b'href="/settings/automation/"' not in web("editor").get("/").content


def test_create_with_inline_errors_then_fixed(web, people):
    client = web("admin")
    ready = make_collection("Ready", parent=library())
    form = {"name": "Move approved", "trigger": "version_approved", "steps": ["0"], "step-0-type": "move"}
    answer = client.post(f"{LIST}new/", form)
    assert answer.status_code == 400
    row = _row(answer.content.decode(), "0")
    assert "Choose the folder to move the asset into." in row
    form["step-0-collection"] = str(ready.pk)
    answer = client.post(f"{LIST}new/", {**form, "asset_types": ["image"]})
    rule = AutomationRule.objects.get()
    assert answer.status_code == 302 and answer["Location"] == rule.get_absolute_url()
    assert rule.conditions == {"asset_types": ["image"]} and rule.enabled is False
    assert rule.actions == [{"type": "move", "params": {"collection": ready.pk}}]
    page = client.get(rule.get_absolute_url()).content.decode()
    assert "It is an image." in page and "Move to a folder — into “Ready”" in page


def _row(page: str, rid: str) -> str:
    """The HTML of one row of the actions builder."""
    start = page.index(f'data-step="{rid}"')
    return page[start:page.index("</li>", start)]


def test_try_on_an_asset_and_switch_on(web, people):
    rule = services.rule_create(actor=people["admin"], name="Tell", trigger="asset_ingested", actions=[
        {"type": "notify", "params": {"users": ["editor"], "message": "New: {title}"}}])
    asset = upload_as(people["contributor"], title="Dock")
    client = web("admin")
    page = client.post(rule.get_absolute_url(), {"asset": f"http://dam.example/assets/{asset.uid}/"})
    assert "Tell editor (1 person): “New: Dock”" in page.content.decode()
    page = client.post(rule.get_absolute_url(), {"asset": "not an id"})
    assert page.status_code == 400 and "Paste the asset" in page.content.decode()
    client.post(f"{LIST}{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.enabled
