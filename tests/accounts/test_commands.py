"""createuser and seed_demo, as a newcomer runs them."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, User
from accounts.roles import Role
from assets.models import Asset, Collection


@pytest.mark.parametrize("role", list(Role))
def test_createuser_puts_the_user_in_one_role(db, role, capsys):
    call_command("createuser", f"new_{role.value}", "--role", role.value, "--password", "A-good-pass-123")
    user = User.objects.get(username=f"new_{role.value}")
    assert user.role == role.value
    assert user.check_password("A-good-pass-123")
    assert user.is_superuser == (role == Role.ADMIN)
    assert AuditEvent.objects.filter(verb="accounts.user.created", target_id=str(user.pk)).exists()
    assert "Created" in capsys.readouterr().out


def test_createuser_without_password_cannot_sign_in(db):
    call_command("createuser", "service", "--role", "viewer")
    assert not User.objects.get(username="service").has_usable_password()


def test_createuser_refuses_duplicates_and_weak_passwords(db):
    call_command("createuser", "taken", "--role", "viewer")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "TAKEN", "--role", "viewer")
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("createuser", "weak", "--role", "viewer", "--password", "abc")
    assert not User.objects.filter(username="weak").exists()


def test_seed_demo_is_idempotent(db, capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Collection.objects.count(), Asset.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Collection.objects.count(), Asset.objects.count()) == counts
    assert counts[0] == len(Role) and counts[2] >= 5
    out = capsys.readouterr().out
    for role in Role:
        assert f"demo_{role.value}" in out
    assert User.objects.get(username="demo_viewer").check_password("demo-pass-2026")
