"""Every audit event reads as a sentence: each verb recorded anywhere has one, and none shows a code."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from accounts import audit
from accounts.models import AuditEvent, User
from tests.factories import make_asset
from workflows import services as workflow
from workflows.states import TRANSITIONS, Action, ReviewState

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"tests", ".venv", "node_modules", "static", "staticfiles", "docs"}

# Verbs written with an expression the scan cannot read: the expression as written, and what it makes.
DYNAMIC = {
    "f'workflows.version.{target.value}'": {
        f"workflows.version.{TRANSITIONS[action][ReviewState.IN_REVIEW]}"
        for action in (Action.REQUEST_CHANGES, Action.REJECT)},
}


def _strings(node: ast.AST) -> set[str] | None:
    """The verbs an expression can make: a constant, `a if c else b`, or an f-string of those; None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, other = _strings(node.body), _strings(node.orelse)
        return body | other if body is not None and other is not None else None
    if isinstance(node, ast.JoinedStr):
        made = {""}
        for part in node.values:
            options = _strings(part.value if isinstance(part, ast.FormattedValue) else part)
            if options is None:
                return None
            made = {head + tail for head in made for tail in options}
        return made
    return None


def recorded_verbs() -> set[str]:
    """Every verb passed to a `record(...)` call (accounts.audit.record) in the project's code."""
    verbs: set[str] = set()
    unreadable = []
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and node.args and getattr(node.func, "attr", getattr(
                    node.func, "id", None)) == "record"):
                continue
            first = node.args[0]
            found = _strings(first)
            if found is None:
                written = ast.unparse(first)
                if written not in DYNAMIC:
                    unreadable.append(f"{path.relative_to(ROOT)}:{node.lineno}: {written}")
                    continue
                found = DYNAMIC[written]
            verbs |= found
    assert not unreadable, f"verbs the test cannot read; add them to DYNAMIC: {unreadable}"
    return verbs


def test_every_recorded_verb_has_a_sentence():
    verbs = recorded_verbs()
    assert len(verbs) > 100  # the scan found the services' calls (116 when this was written)
    assert {"workflows.version.rejected", "workflows.version.changes_requested", "assets.batch.archive_failed",
            "distribution.watermark.changed", "assets.storage.swept"} <= verbs
    missing = sorted(verbs - set(audit.registered()))
    assert not missing, f"these audit verbs have no sentence (register them in <app>/audit_text.py): {missing}"


def _realistic(key: str) -> object:
    """A value of the kind services record under this key."""
    if key in ("version", "restored_from", "superseded_version"):
        return 3
    if key in ("step", "next_step"):
        return 2
    if key == "step_name":
        return "Brand sign-off"
    if key.endswith("_at") or key == "purge_after":
        return "2026-03-01T09:30:00+00:00"
    if key in ("changes",):
        return {"title": ["Harbour", "Harbour at dawn"], "description": [None, "Morning light"]}
    if key in ("assets", "uids", "tagged", "proposed", "presets", "broader", "outcomes", "warnings", "events",
               "allowed_origins", "recipients", "unknown_people", "labels_kept", "old", "new", "channels"):
        return ["created"] if key == "outcomes" else ["one", "two"]
    if key in ("checked", "removed", "bytes_freed", "size", "files", "items", "created", "updated", "days",
               "usages", "would_act_on", "approvals", "needed", "members", "versions", "new", "delivery"):
        return 4
    if key in ("region",):
        return {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}
    return "Harbour"


def _placeholders(sentence: audit.Sentence) -> set[str]:
    keys = {f.key for f in sentence.fields}
    if isinstance(sentence.template, str):
        keys |= set(re.findall(r"\{(\w+)\}", sentence.template)) - {"actor", "object"}
    return keys


@pytest.mark.django_db
def test_every_registered_verb_reads_as_a_sentence_with_realistic_data():
    ann = User.objects.create(username="ann", first_name="Ann", last_name="Example")
    for verb, sentence in audit.registered().items():
        data = {key: _realistic(key) for key in _placeholders(sentence)}
        for spec in sentence.fields:
            if spec.choices:  # a stored choice, as the service writes it
                data[spec.key] = next(iter(spec.choices))
        event = AuditEvent(verb=verb, actor=ann, target_repr="Harbour at dawn", data=data)
        described = audit.describe(event)
        text = described.text
        assert text.startswith("Ann Example "), (verb, text)
        assert verb not in text and "{" not in text and "[" not in text and "None" not in text, (verb, text)
        assert "“”" not in text and "  " not in text, (verb, text)
        assert described.action_label and "." not in described.action_label, verb
        for label, value in described.fields:
            assert label and value and "{'" not in value and "['" not in value, (verb, label, value)


def test_sentence_parts_in_brackets_leave_when_their_values_are_missing():
    event = AuditEvent(verb="workflows.version.approved", target_repr="Harbour at dawn",
                       data={"version": 3, "step": 2})
    assert audit.describe(event).text == "The system approved v3 of “Harbour at dawn” (step 2)"
    event.data = {"version": 3}
    assert audit.describe(event).text == "The system approved v3 of “Harbour at dawn”"


def test_details_read_as_labelled_fields_not_dicts(settings):
    settings.TIME_ZONE = "UTC"
    event = AuditEvent(verb="assets.asset.updated", target_repr="Harbour",
                       data={"changes": {"title": ["Harbour", "Harbour at dawn"], "rights_expire_at": [
                           None, "2026-03-01T09:30:00+00:00"]}})
    assert audit.describe(event).fields == [
        ("Changes", "Title: “Harbour” → “Harbour at dawn”; Rights expire at: empty → “1 Mar 2026, 09:30”")]


def test_an_unknown_verb_in_an_old_row_reads_without_its_code():
    event = AuditEvent(verb="legacy.colour_scheme.frobbed", target_repr="Harbour",
                       data={"scheme_id": 7, "palette": {"main": "blue"}, "kept": True})
    described = audit.describe(event)
    assert described.text == "The system: colour scheme frobbed — “Harbour”"
    assert described.action_label == "Colour scheme frobbed"
    assert described.fields == [("Palette", "Main: blue"), ("Kept", "yes")]  # the row's id is not shown


@pytest.mark.django_db
def test_an_approval_reads_with_the_reviewer_the_revision_and_the_step(people):
    editor, brand = people["editor"], people["brand_manager"]
    brand.first_name, brand.last_name = "Ann", "Bright"
    brand.save(update_fields=["first_name", "last_name"])
    asset = make_asset(people["contributor"], title="Harbour at dawn")
    workflow.version_submit(version_id=asset.current_version_id, actor=None)
    workflow.version_approve(version_id=asset.current_version_id, actor=editor)
    workflow.version_approve(version_id=asset.current_version_id, actor=brand)
    event = audit.events_for(asset).filter(verb="workflows.version.approved").get()
    step = event.data["step_name"]
    assert step  # the step's name is kept with the event: it may be renamed later
    assert audit.describe(event).text == f"Ann Bright approved v1 of “Harbour at dawn” (step 2, {step})"
    assert audit.describe(event).action_label == "Revision approved"
