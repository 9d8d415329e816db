"""Distribution's automation actions: copies in presets, watermarked copies, lightboxes, webhooks; and the
mission's example rule carried out on a final approval."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from assets.models import Asset, Rendition
from distribution import lightbox_services
from distribution.models import LightboxItem, Preset, Watermark, WebhookDelivery
from distribution.webhooks import delivery
from distribution.webhooks import services as webhooks
from tests.factories import library, make_collection, upload_as
from workflows import services as workflow
from workflows.automation import engine, services
from workflows.automation.models import AutomationRun
from workflows.models import Notification


@pytest.fixture
def setting_up(people, monkeypatch):
    """The example's world: folders, a PNG preset, a watermark, the Partners lightbox, the social-media team."""
    from distribution import outbound
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.216.34"])
    queued: list[int] = []
    monkeypatch.setattr(delivery, "queue", lambda ids: queued.extend(ids))  # no request leaves the test
    campaigns = make_collection("Campaigns", parent=library())
    ready = make_collection("Ready for publishing", parent=library())
    Preset.objects.create(name="web-png", label="Web PNG", format="png", max_width=2048, max_height=2048)
    mark = Watermark.objects.create(name="Partners proof", kind=Watermark.Kind.TEXT, text="For {recipient}")
    partners = lightbox_services.lightbox_create(actor=people["admin"], name="Partners")
    team = Group.objects.create(name="Social media team")
    people["editor"].groups.add(team)
    hook, _ = webhooks.webhook_create(actor=people["admin"], url="https://hooks.example.com/dam",
                                       events=["version.rejected"])
    return {"campaigns": campaigns, "ready": ready, "mark": mark, "partners": partners, "hook": hook,
            "queued": queued}


def _approve(people, asset: Asset) -> None:
    version_id = asset.current_version_id
    workflow.version_submit(version_id=version_id, actor=people["contributor"])
    workflow.version_approve(version_id=version_id, actor=people["editor"])
    workflow.version_approve(version_id=version_id, actor=people["brand_manager"])


def mission_rule(people, world, enabled=True):
    return services.rule_create(
        actor=people["admin"], name="Publish approved campaign designs", trigger="version_approved", enabled=enabled,
        conditions={"collection": world["campaigns"].pk, "asset_types": ["image"]},
        actions=[
            {"type": "make_derivatives", "params": {"presets": ["web", "web-png"]}},
            {"type": "watermark", "params": {"presets": ["web", "web-png"], "watermark": "Partners proof",
                                             "recipient": "Partners"}},
            {"type": "add_to_lightbox", "params": {"lightbox": world["partners"].pk}},
            {"type": "move", "params": {"collection": world["ready"].pk}},
            {"type": "notify", "params": {"groups": ["Social media team"],
                                          "message": "“{title}” is ready for publishing: {url}"}},
            {"type": "send_webhook", "params": {"webhook": world["hook"].pk}},
        ])


def test_the_mission_example_on_final_approval(people, setting_up, django_capture_on_commit_callbacks):
    world = setting_up
    rule = mission_rule(people, world)
    with django_capture_on_commit_callbacks(execute=True):  # its standard renditions are made, as after an upload
        asset = upload_as(people["contributor"], world["campaigns"], title="Spring sale")
    planned = engine.dry_run(rule=rule, asset=asset)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(people, asset)
    [run] = AutomationRun.objects.filter(rule=rule)
    assert run.status == AutomationRun.Status.DONE, run.error
    assert run.actions_done == [
        "Make “Web” and “Web PNG” copies of v1.",
        "Make “Web” and “Web PNG” copies of v1 watermarked with “Partners proof” for Partners.",
        "Add it to the lightbox “Partners”.",
        "Move it from “Campaigns” into “Ready for publishing”.",
        f"Tell Social media team (1 person): ““Spring sale” is ready for publishing: "
        f"{settings.DAM_BASE_URL}{asset.get_absolute_url()}”",
        "Send the webhook to https://hooks.example.com/dam.",
    ]
    assert planned.sentences == run.actions_done  # the dry run before the approval said the same
    asset.refresh_from_db()
    version = asset.approved_version
    copies = Rendition.objects.filter(version=version, preset__in=["web", "web-png"])
    made = sorted((r.preset, r.mime_type, r.status, bool(r.variant)) for r in copies)
    # The standard web rendition and its copy with the rights written, the PNG, and the two watermarked
    # copies (recipes of their own): all made.
    assert made == [("web", "image/jpeg", "ready", False), ("web", "image/jpeg", "ready", True),
                    ("web", "image/jpeg", "ready", True), ("web-png", "image/png", "ready", True),
                    ("web-png", "image/png", "ready", True)]
    assert LightboxItem.objects.filter(lightbox=world["partners"], asset=asset).exists()
    assert asset.collection == world["ready"]
    told = Notification.objects.filter(recipient=people["editor"], message__startswith="“Spring sale” is ready")
    assert told.count() == 1
    [sent] = WebhookDelivery.objects.filter(webhook=world["hook"], event="automation.rule")
    assert sent.payload["data"]["rule"] == rule.name and sent.payload["data"]["asset"]["uid"] == str(asset.uid)
    assert world["queued"] == [sent.pk]


def test_the_example_run_twice_changes_nothing_more(people, setting_up, django_capture_on_commit_callbacks):
    world = setting_up
    rule = mission_rule(people, world)
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], world["campaigns"], title="Twice")
        _approve(people, asset)
    run = AutomationRun.objects.get(rule=rule)
    counts = (Rendition.objects.count(), LightboxItem.objects.count(), Notification.objects.count(),
              WebhookDelivery.objects.count())
    before = list(Rendition.objects.values_list("version_id", "preset", "variant", "status"))
    AutomationRun.objects.filter(pk=run.pk).update(status=AutomationRun.Status.RUNNING)  # as if its worker died
    again = engine.run_rule(rule_id=rule.pk, asset_id=asset.pk, trigger="version_approved", event_key=run.event_key)
    assert again.status == AutomationRun.Status.DONE
    assert list(Rendition.objects.values_list("version_id", "preset", "variant", "status")) == before
    assert again.actions_done[2:4] == ["It is already in the lightbox “Partners”: nothing to add.",
                                       "It is already in “Ready for publishing”: nothing to move."]
    assert (Rendition.objects.count(), LightboxItem.objects.count(), Notification.objects.count(),
            WebhookDelivery.objects.count()) == counts


def test_a_preset_the_owner_may_not_use_stops_the_rule(people, setting_up, django_capture_on_commit_callbacks):
    Preset.objects.filter(name="web-png").update(restricted=True)
    rule = services.rule_create(actor=people["admin"], name="PNG", enabled=True,
                                trigger="version_approved",
                                actions=[{"type": "make_derivatives", "params": {"presets": ["web-png"]}}])
    rule.owner = people["viewer"]
    rule.save(update_fields=["owner"])
    asset = upload_as(people["contributor"], title="Restricted")
    with django_capture_on_commit_callbacks(execute=True):
        _approve(people, asset)
    run = AutomationRun.objects.get(rule=rule)
    assert run.status == AutomationRun.Status.FAILED
    assert run.error == ("Make copies in presets: viewer, who owns the rule, may not use the preset “web-png” on "
                         "“Restricted”.")
