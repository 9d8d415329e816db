"""The "copy to a folder" action: a new asset, made once, with its own file, in draft, as the owner may."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from accounts.audit import describe, events_for
from assets import services as asset_services
from assets.models import Asset, AssetTerm, ReviewState
from taxonomy.models import MetadataField, Vocabulary
from tests.factories import approve_for_test, library, make_collection, make_term, upload_as
from workflows.automation import copying, engine, services
from workflows.automation.models import AutomationCopy, AutomationRun


@pytest.fixture
def press(db):
    return make_collection("Press kit", parent=library())


@pytest.fixture
def copy_rule(people, press):
    def make(owner="admin", trigger="version_approved", **extra):
        return services.rule_create(actor=people[owner], name="Copy to the press kit", trigger=trigger, enabled=True,
                                    actions=[{"type": "copy", "params": {"collection": str(press.pk)}}], **extra)
    return make


def _approved_source(people) -> Asset:
    vocab = Vocabulary.objects.create(uri="https://example.org/v/", title="Subjects")
    MetadataField.objects.create(key="channel", label="Channel")
    term = make_term(vocab, "Harbour")
    asset = upload_as(people["contributor"], title="Harbour at dawn")
    asset_services.asset_update(asset=asset, actor=people["editor"], changes={
        "terms": [term.uri], "metadata": {"channel": "print"}, "description": "Boats.", "credit_line": "© Ann"})
    approve_for_test(asset)
    return Asset.objects.get(pk=asset.pk)


def test_a_copy_is_a_new_draft_asset_with_its_own_file(people, press, copy_rule,
                                                       django_capture_on_commit_callbacks):
    rule = copy_rule()
    with django_capture_on_commit_callbacks(execute=True):
        source = _approved_source(people)
    [run] = AutomationRun.objects.filter(rule=rule)
    assert run.status == AutomationRun.Status.DONE, run.error
    assert run.actions_done == ["Copy it into “Press kit” as a new asset, with the file of v1 as its v1 (draft)."]
    record = AutomationCopy.objects.get(rule=rule)
    copy = record.copy
    assert record.source == source and copy.collection == press and copy.pk != source.pk
    assert (copy.title, copy.description, copy.credit_line, copy.metadata) == \
        ("Harbour at dawn", "Boats.", "© Ann", {"channel": "print"})
    assert list(AssetTerm.objects.filter(asset=copy).values_list("term__label", flat=True)) == ["Harbour"]
    # Its own stored file, with the same bytes; its own review, from the start; owned by the rule's owner.
    mine, theirs = copy.current_version, source.current_version
    assert mine.number == 1 and mine.file.name != theirs.file.name and mine.sha256 == theirs.sha256
    assert default_storage.exists(mine.file.name) and default_storage.exists(theirs.file.name)
    assert mine.review_state == ReviewState.DRAFT and copy.approved_version is None
    assert copy.owner == people["admin"]
    source.refresh_from_db()
    assert source.collection == library() and source.current_version.review_state == ReviewState.APPROVED
    # Both histories say where the copy came from and went.
    copied = " ".join(describe(e).text for e in events_for(copy))
    assert "admin made “Harbour at dawn” as a copy of “Harbour at dawn” (its v1) with the rule " \
        "“Copy to the press kit”" in copied
    made = " ".join(describe(e).text for e in events_for(source))
    assert "admin copied “Harbour at dawn” into “Press kit” as “Harbour at dawn”" in made


def test_running_the_rule_twice_makes_one_copy(people, press, copy_rule, django_capture_on_commit_callbacks):
    rule = copy_rule()
    with django_capture_on_commit_callbacks(execute=True):
        source = _approved_source(people)
    [run] = AutomationRun.objects.filter(rule=rule)
    AutomationRun.objects.filter(pk=run.pk).update(status=AutomationRun.Status.RUNNING)  # as if its worker died
    engine.run_rule(rule_id=rule.pk, asset_id=source.pk, trigger="version_approved", event_key=run.event_key)
    again = engine.run_rule(rule_id=rule.pk, asset_id=source.pk, trigger="version_approved", event_key="another")
    assert again.actions_done == ["It was copied into “Press kit” already, as “Harbour at dawn”: nothing to copy."]
    assert AutomationCopy.objects.count() == 1 and Asset.objects.filter(collection=press).count() == 1


def test_a_rule_does_not_copy_its_own_copies(people, press, copy_rule, django_capture_on_commit_callbacks):
    rule = copy_rule(trigger="asset_ingested")  # the copy is itself an asset added
    with django_capture_on_commit_callbacks(execute=True):
        upload_as(people["contributor"], title="Crate")
    copy = AutomationCopy.objects.get(rule=rule).copy
    run_on_copy = AutomationRun.objects.get(rule=rule, asset=copy)
    assert run_on_copy.actions_done == ["It is a copy this rule made: nothing to copy."]
    assert Asset.objects.filter(title="Crate").count() == 2


def test_an_owner_who_may_not_add_to_the_folder_gets_a_run_error(people, press, django_capture_on_commit_callbacks):
    mine = make_collection("Mine", parent=library())
    theirs = make_collection("Theirs")  # a root the editor has no grant on
    asset_services.collection_grant(collection=mine, level="manage", actor=None, user=people["editor"])
    rule = services.rule_create(actor=people["editor"], name="Copy out", trigger="asset_ingested", enabled=True,
                                scope=[mine], actions=[{"type": "copy", "params": {"collection": theirs.pk}}])
    with django_capture_on_commit_callbacks(execute=True):
        upload_as(people["contributor"], mine, title="Secret")
    [run] = AutomationRun.objects.filter(rule=rule)
    assert run.status == AutomationRun.Status.FAILED
    assert run.error == "Copy to a folder: editor, who owns the rule, may not add assets to “Theirs”."
    assert not Asset.objects.filter(collection=theirs).exists() and not AutomationCopy.objects.exists()


def test_a_copy_that_fails_halfway_leaves_no_file_and_no_rows(people, press, copy_rule, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    source = _approved_source(people)
    rule = copy_rule()
    stored: list[str] = []
    real_store = asset_services.assets._store
    monkeypatch.setattr(asset_services.assets, "_store", lambda f: stored.append(real_store(f)) or stored[-1])
    real_record = copying.audit.record

    def record(verb, **kwargs):
        # After the file, the asset, its terms and the copy's record were written.
        if verb == "workflows.automation.copied":
            raise OSError("disk went away")
        return real_record(verb, **kwargs)

    monkeypatch.setattr(copying.audit, "record", record)
    run = engine.run_rule(rule_id=rule.pk, asset_id=source.pk, trigger="version_approved", event_key="e1")
    assert run.status == AutomationRun.Status.FAILED
    assert run.error == "Copy to a folder: it failed unexpectedly; the server's log has the details."
    assert len(stored) == 1 and not default_storage.exists(stored[0])
    assert not Asset.objects.filter(collection=press).exists() and not AutomationCopy.objects.exists()
    assert default_storage.exists(source.current_version.file.name)


def test_dry_run_of_a_copy_changes_nothing(people, press, copy_rule):
    rule = copy_rule()
    source = upload_as(people["contributor"], title="Draft poster")
    planned = engine.dry_run(rule=rule, asset=source)
    assert planned.sentences == [
        "Copy it into “Press kit” as a new asset, with the file of v1 as its v1 (draft)."]
    assert not Asset.objects.filter(collection=press).exists()


def test_the_copy_action_is_checked(people):
    with pytest.raises(ValidationError) as exc:
        services.rule_create(actor=people["admin"], name="No folder", trigger="asset_ingested",
                             actions=[{"type": "copy", "params": {"collection": "nope"}}])
    assert exc.value.message_dict["actions"] == ["Step 1 (Copy to a folder): Choose the folder to copy the asset into."]
