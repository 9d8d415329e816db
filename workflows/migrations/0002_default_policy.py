"""Seed the default approval policy: an Editor signs first, then a Brand manager (admins may sign any step)."""
from django.db import migrations


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ApprovalPolicy = apps.get_model("workflows", "ApprovalPolicy")
    ApprovalStep = apps.get_model("workflows", "ApprovalStep")
    if ApprovalPolicy.objects.filter(is_default=True).exists():
        return
    policy = ApprovalPolicy.objects.create(name="Default: editor, then brand manager", is_default=True)
    # Role group names as accounts.permissions.ROLE_GROUP_NAMES gives them (accounts/0002 created them).
    for position, (name, group_name) in enumerate((("Editorial check", "Editor"),
                                                   ("Brand sign-off", "Brand manager")), start=1):
        group, _ = Group.objects.get_or_create(name=group_name)
        ApprovalStep.objects.create(policy=policy, position=position, name=name, group=group, approvals_required=1)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
