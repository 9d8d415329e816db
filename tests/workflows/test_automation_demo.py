"""The demo's example rule: shipped switched off, and, switched on, carried out by a real qcluster after a
final approval (the mission's example end to end, in separate processes as in production)."""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import time

import pytest
from django.core.management import call_command

from tests.assets.test_workers_and_s3 import MANAGE, ROOT, qcluster, worker_database, worker_env  # noqa: F401
from workflows.automation import engine
from workflows.models import AutomationRule

RULE = "Publish approved campaign designs"

# Run in the web process's place: switch the rule on, resubmit the banner sent back, approve it twice.
APPROVE = f"""
from accounts.models import User
from assets.models import Asset
from workflows import services
from workflows.automation import services as automation
from workflows.models import AutomationRule
people = {{u.username: u for u in User.objects.all()}}
rule = AutomationRule.objects.get(name="{RULE}")
automation.rule_update(rule=rule, actor=people["demo_admin"], enabled=True)
banner = Asset.objects.get(title="Beach banner draft")
version = banner.current_version_id
services.version_resubmit(version_id=version, actor=banner.owner, comment="New logo.")
services.version_approve(version_id=version, actor=people["demo_editor"])
services.version_approve(version_id=version, actor=people["demo_brand_manager"])
"""


def test_seed_demo_ships_the_example_rule_switched_off(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    rule = AutomationRule.objects.get(name=RULE)
    assert not rule.enabled and AutomationRule.objects.count() == 1
    assert [step["type"] for step in rule.actions] == ["make_derivatives", "watermark", "add_to_lightbox", "move",
                                                       "notify"]
    from assets.models import Asset
    product = Asset.objects.get(title="Product shot: trail shoe")  # approved, in Summer 2026 under Campaigns
    assert engine.dry_run(rule=rule, asset=product).sentences == [
        "Make “Web” and “Web PNG” copies of v1.",
        "Make “Web” and “Web PNG” copies of v1 watermarked with “Shared with” for Partners.",
        "Add it to the lightbox “Partners”.",
        "Move it from “Summer 2026” into “Ready for publishing”.",
        "Tell Social media team (2 people): ““Product shot: trail shoe” is approved and ready for publishing: "
        f"http://127.0.0.1:8000{product.get_absolute_url()}”",
    ]


def _query(url: str, sql: str) -> list[tuple]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    import psycopg
    with psycopg.connect(url) as db:
        return db.execute(sql).fetchall()


def _run_when_finished(url: str, seconds: float) -> list[tuple]:
    deadline = time.monotonic() + seconds
    # Real runs only (dry runs are never stored, but the log keeps the column): NOT dry_run reads on both databases.
    sql = "SELECT status, actions_done, error FROM workflows_automationrun WHERE NOT dry_run"
    while time.monotonic() < deadline:
        found = _query(url, sql)
        if found and all(status != "running" for status, *_ in found):
            return found
        time.sleep(0.2)
    pytest.fail(f"the rule did not finish in {seconds:g} s: {found}")


@pytest.mark.slow
def test_the_example_rule_runs_in_a_real_qcluster(tmp_path, worker_database):  # noqa: F811
    env = worker_env(tmp_path, worker_database)
    subprocess.run([*MANAGE, "seed_demo"], env=env, check=True, cwd=ROOT, timeout=300,  # noqa: S603
                   capture_output=True)
    # Approved before the cluster starts: on SQLite, the seed's rendition jobs would otherwise compete with the
    # approvals for the one writer on a loaded machine. The rule's job waits in the queue like any other.
    subprocess.run([*MANAGE, "shell", "-c", APPROVE], env=env, check=True, cwd=ROOT, timeout=120)  # noqa: S603
    with qcluster(env):
        [(status, actions, error)] = _run_when_finished(worker_database, seconds=180)
    actions = json.loads(actions) if isinstance(actions, str) else actions
    assert (status, error) == ("done", "")
    assert actions[0] == "Make “Web” and “Web PNG” copies of v1."
    assert actions[2:4] == ["Add it to the lightbox “Partners”.",
                            "Move it from “Summer 2026” into “Ready for publishing”."]
    where = _query(worker_database, "SELECT c.name FROM assets_asset a JOIN assets_collection c "
                                    "ON c.id = a.collection_id WHERE a.title = 'Beach banner draft'")
    assert where == [("Ready for publishing",)]
    in_lightbox = _query(worker_database, "SELECT a.title FROM distribution_lightboxitem i JOIN assets_asset a "
                                          "ON a.id = i.asset_id JOIN distribution_lightbox l ON l.id = i.lightbox_id "
                                          "WHERE l.name = 'Partners'")
    assert in_lightbox == [("Beach banner draft",)]
    told = _query(worker_database, "SELECT u.username FROM workflows_notification n JOIN accounts_user u "
                                   "ON u.id = n.recipient_id WHERE n.message LIKE '%ready for publishing%' "
                                   "ORDER BY u.username")
    assert told == [("demo_brand_manager",), ("demo_editor",)]
    copies = _query(worker_database, "SELECT r.preset, r.mime_type FROM assets_rendition r JOIN assets_assetversion v "
                                     "ON v.id = r.version_id JOIN assets_asset a ON a.id = v.asset_id "
                                     "WHERE a.title = 'Beach banner draft' AND r.variant != '' ORDER BY r.preset")
    assert {preset for preset, _ in copies} == {"web", "web-png"} and len(copies) >= 3
