from django.db import migrations


def sync_roles(apps, schema_editor):
    from accounts.permissions import sync_role_groups

    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"),
                     apps.get_model("contenttypes", "ContentType"))


class Migration(migrations.Migration):
    """Admins, librarians and brand managers see analytics (a new capability on their role groups)."""

    dependencies = [("accounts", "0003_capability_view_analytics")]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
