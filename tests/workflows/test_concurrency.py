"""Two reviewers approving the same step at the same moment give exactly one transition and one audit event.

Runs on both databases: on PostgreSQL the asset and revision rows are locked
with SELECT ... FOR UPDATE; on SQLite the IMMEDIATE transactions of the
settings take the database's write lock at BEGIN, which serialises the two
the same way.
"""
from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from accounts.models import AuditEvent
from accounts.roles import Role
from assets.models import AssetVersion, ReviewState
from tests.factories import make_user, upload_as
from workflows import services
from workflows.models import ApprovalPolicy, ApprovalStep, ReviewDecision
from workflows.states import Action, TransitionNotAllowed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, after another such test
def test_concurrent_approvals_of_one_step_make_one_transition():
    policy = ApprovalPolicy.objects.get(is_default=True)
    policy.steps.all().delete()
    ApprovalStep.objects.create(policy=policy, position=1, name="Any editor", group=Group.objects.get(name="Editor"))
    contributor = make_user("c", Role.CONTRIBUTOR)
    editors = [make_user(f"e{i}", Role.EDITOR) for i in range(2)]
    version = upload_as(contributor).current_version
    services.version_submit(version_id=version.pk, actor=contributor)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(editor):
        try:
            barrier.wait()
            services.version_approve(version_id=version.pk, actor=editor)
            outcomes.append("approved")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "refused"]
    assert AssetVersion.objects.get(pk=version.pk).review_state == ReviewState.APPROVED
    assert AuditEvent.objects.filter(verb="workflows.version.approved").count() == 1
    assert ReviewDecision.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_of_two_racing_approvals_is_told_the_review_moved_on():
    """Step 1 needs one editor, step 2 a brand manager: the editor who comes second gets 409 (the review moved
    on), not 403 (an editor may not sign step 2), and their click never counts for step 2."""
    policy = ApprovalPolicy.objects.get(is_default=True)
    contributor = make_user("c", Role.CONTRIBUTOR)
    editors = [make_user(f"e{i}", Role.EDITOR) for i in range(2)]
    version = upload_as(contributor).current_version
    services.version_submit(version_id=version.pk, actor=contributor)
    assert policy.steps.count() == 2

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(editor):
        try:
            barrier.wait()
            services.version_transition(Action.APPROVE, version_id=version.pk, actor=editor, step=1)
            outcomes.append("approved")
        except TransitionNotAllowed as exc:
            outcomes.append("moved on" if "moved on to step 2" in str(exc) else str(exc))
        except PermissionDenied:
            outcomes.append("forbidden")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "moved on"]
    assert list(ReviewDecision.objects.values_list("step", flat=True)) == [1]
    assert AssetVersion.objects.get(pk=version.pk).review_state == ReviewState.IN_REVIEW
