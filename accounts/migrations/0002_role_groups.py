from django.db import migrations


def seed_roles(apps, schema_editor):
    from accounts.permissions import sync_role_groups

    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"),
                     apps.get_model("contenttypes", "ContentType"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
