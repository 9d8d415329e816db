"""The automation rules API: who may use it, clear errors for bad rules, dry runs and the run log."""
from __future__ import annotations

import pytest

from assets.services import collection_grant
from tests.factories import library, make_collection, upload_as
from workflows.automation.models import AutomationRule

URL = "/api/v1/automation-rules/"


def _rule(**extra):
    return {"name": "Tell the editor", "trigger": "asset_ingested", "enabled": True,
            "actions": [{"type": "notify", "params": {"users": ["editor"], "message": "New: {title}"}}], **extra}


@pytest.mark.parametrize("persona, expected", [("admin", 200), ("librarian", 403), ("editor", 403),
                                               ("viewer", 403), ("outsider", 403)])
def test_who_lists_rules(api, persona, expected):
    assert api[persona].get(URL).status_code == expected


def test_create_read_change_delete(api, people):
    made = api["admin"].post(URL, _rule(), format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["owner"] == "admin" and made.json()["actions"][0]["params"]["groups"] == []
    changed = api["admin"].patch(f"{URL}{pk}/", {"enabled": False, "conditions": {"asset_types": ["image"]}},
                                 format="json")
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert api["admin"].get(f"{URL}{pk}/").json()["conditions"] == {"asset_types": ["image"]}
    assert api["editor"].get(f"{URL}{pk}/").status_code == 404
    assert api["admin"].delete(f"{URL}{pk}/").status_code == 204
    assert not AutomationRule.objects.exists()


def test_a_bad_rule_is_refused_with_sentences(api):
    answer = api["admin"].post(URL, _rule(trigger="on_tuesday", actions=[
        {"type": "move", "params": {}}, {"type": "teleport"}]), format="json")
    assert answer.status_code == 400
    body = answer.json()["errors"]
    assert body["trigger"][0].startswith("There is no trigger “on_tuesday”. Choose one of: ")
    assert body["actions"][0] == "Step 1 (Move to a folder): Choose the folder to move the asset into."
    assert body["actions"][1].startswith("Step 2 (unknown): There is no action “teleport”.")
    assert not AutomationRule.objects.exists()


def test_a_folder_manager_writes_rules_for_their_folders(api, people):
    mine = make_collection("Mine", parent=library())
    collection_grant(collection=mine, level="manage", actor=None, user=people["editor"])
    refused = api["editor"].post(URL, _rule(), format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["scope"] == [
        "Choose folders you manage; your rule acts only inside them."]
    made = api["editor"].post(URL, _rule(scope=[mine.pk]), format="json")
    assert made.status_code == 201
    assert [r["id"] for r in api["editor"].get(URL).json()["results"]] == [made.json()["id"]]


def test_dry_run_and_runs(api, people, django_capture_on_commit_callbacks):
    pk = api["admin"].post(URL, _rule(), format="json").json()["id"]
    asset = upload_as(people["contributor"], title="Quay")
    tried = api["admin"].post(f"{URL}{pk}/dry-run/", {"asset": str(asset.uid)}, format="json")
    assert tried.status_code == 200
    assert tried.json() == {"applies": True, "reason": "", "error": "",
                            "actions": ["Tell editor (1 person): “New: Quay”"]}
    assert api["admin"].post(f"{URL}{pk}/dry-run/", {"asset": "nope"}, format="json").status_code == 400
    assert api["admin"].get(f"{URL}{pk}/runs/").json()["results"] == []
    with django_capture_on_commit_callbacks(execute=True):
        upload_as(people["contributor"], title="Pier")
    [run] = api["admin"].get(f"{URL}{pk}/runs/").json()["results"]
    assert run["status"] == "done" and run["actions_done"] == ["Tell editor (1 person): “New: Pier”"]
