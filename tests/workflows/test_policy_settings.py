"""/settings/approval-policies/: admins set who signs revisions off, and the four-eyes switch, outside the Django
admin; each change goes through the service and is on the audit trail; mistakes are shown beside their field."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.audit import describe
from accounts.models import AuditEvent
from tests.factories import make_collection
from workflows.models import ApprovalPolicy

pytestmark = pytest.mark.django_db


def _form(policy, **overrides):
    """The edit form as the page sends it: the policy's fields and its steps, plus an empty extra row."""
    steps = list(policy.steps.order_by("position")) if policy else []
    data = {"name": policy.name if policy else "", "asset_type": "", "collection": "",
            "steps-TOTAL_FORMS": str(len(steps) + 1), "steps-INITIAL_FORMS": str(len(steps)),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}
    if policy and policy.is_default:
        data["is_default"] = "on"
    for n, step in enumerate(steps):
        data.update({f"steps-{n}-name": step.name, f"steps-{n}-group": str(step.group_id),
                     f"steps-{n}-approvals_required": str(step.approvals_required)})
    data.update({f"steps-{len(steps)}-approvals_required": "1"})  # the extra row's initial value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", ["librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"])
def test_only_admins_see_or_change_policies(web, role):
    default = ApprovalPolicy.objects.get(is_default=True)
    client = web(role)
    assert client.get("/settings/approval-policies/").status_code == 403
    assert client.get("/settings/approval-policies/new/").status_code == 403
    assert client.get(f"/settings/approval-policies/{default.pk}/").status_code == 404
    answer = client.post(f"/settings/approval-policies/{default.pk}/",
                         _form(default, same_person_may_sign_several_steps="on"))
    assert answer.status_code == 404
    assert not ApprovalPolicy.objects.get(pk=default.pk).same_person_may_sign_several_steps
    assert "/settings/approval-policies/" not in client.get("/").content.decode()


def test_an_admin_turns_four_eyes_off_in_words_and_it_is_audited(web, people):
    default = ApprovalPolicy.objects.get(is_default=True)
    client = web("admin")
    listing = client.get("/settings/approval-policies/").content.decode()
    assert 'href="/settings/approval-policies/"' in listing  # the settings menu entry
    assert default.name in listing and "a different person for each step" in listing
    page = client.get(f"/settings/approval-policies/{default.pk}/").content.decode()
    assert "One person may approve more than one step of the same review" in page
    assert "Warning:" in page and "alone" in page and 'name="steps-1-group"' in page
    answer = client.post(f"/settings/approval-policies/{default.pk}/",
                         _form(default, same_person_may_sign_several_steps="on", **{"steps-1-DELETE": "on"}))
    assert answer.status_code == 302
    default.refresh_from_db()
    assert default.same_person_may_sign_several_steps
    assert [s.name for s in default.steps.order_by("position")] == ["Editorial check"]
    event = AuditEvent.objects.get(verb="workflows.policy.changed")
    told = describe(event)
    assert told.text == f"{people['admin'].display_name} changed the approval policy “{default.name}”"
    fields = dict(told.fields)
    assert "“no” → “yes”" in fields["What changed"] and fields["One person may sign several steps"] == "yes"
    assert "Off: one person may sign several steps" in client.get("/settings/approval-policies/").content.decode()


def test_mistakes_are_shown_beside_their_fields(web):
    default = ApprovalPolicy.objects.get(is_default=True)
    client = web("admin")
    answer = client.post(f"/settings/approval-policies/{default.pk}/", _form(default, is_default=None))
    assert answer.status_code == 400
    assert answer.context["form"].errors["is_default"] == [
        "Some policy must be the default: make another policy the default instead."]
    no_steps = _form(default, **{"steps-0-DELETE": "on", "steps-1-DELETE": "on"})
    answer = client.post(f"/settings/approval-policies/{default.pk}/", no_steps)
    assert "A policy needs at least one step." in answer.content.decode()
    press = make_collection("Press")
    brand = Group.objects.get(name="Brand manager")
    new = {**_form(None, name="Press desk", collection=str(press.pk)), "steps-0-name": "Desk",
           "steps-0-group": str(brand.pk), "steps-0-approvals_required": "2"}
    assert client.post("/settings/approval-policies/new/", new).status_code == 302
    created = ApprovalPolicy.objects.get(name="Press desk")
    assert created.collection == press and created.steps.get().approvals_required == 2
    answer = client.post("/settings/approval-policies/new/", {**new, "name": "Second"})
    assert answer.context["form"].errors["collection"] == ["This collection already follows “Press desk”."]
    half = {**_form(None, name="Half"), "steps-0-name": "Desk"}
    answer = client.post("/settings/approval-policies/new/", half)
    assert answer.context["steps"].forms[0].errors["group"] == ["This field is required."]
    assert AuditEvent.objects.filter(verb="workflows.policy.created").count() == 1


def test_a_new_default_takes_over_from_the_old_one(web):
    old = ApprovalPolicy.objects.get(is_default=True)
    editors = Group.objects.get(name="Editor")
    new = {**_form(None, name="One look", is_default="on"), "steps-0-name": "Look", "steps-0-group": str(editors.pk),
           "steps-0-approvals_required": "1"}
    client = web("admin")
    assert client.post("/settings/approval-policies/new/", new).status_code == 302
    assert ApprovalPolicy.objects.get(is_default=True).name == "One look"
    event = AuditEvent.objects.get(verb="workflows.policy.created")
    assert dict(describe(event).fields)["Was the default before"] == old.name
    # The old default now covers nothing; a third default would leave two such policies.
    answer = client.post("/settings/approval-policies/new/", {**new, "name": "Third"})
    assert "“One look” would cover nothing" in answer.context["form"].errors["is_default"][0]
    # Switching back works although both cover nothing but the default for a moment.
    assert client.post(f"/settings/approval-policies/{old.pk}/", _form(old)).status_code == 302
    assert ApprovalPolicy.objects.get(is_default=True) == old
    one_look = ApprovalPolicy.objects.get(name="One look")
    answer = client.post(f"/settings/approval-policies/{one_look.pk}/", _form(one_look))
    assert answer.context["form"].errors["collection"][0].startswith("Choose a collection or an asset type")
