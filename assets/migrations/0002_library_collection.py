"""The root folder every installation starts with, open to the role groups.

Admins can narrow this later (take a group's grant away, grant teams on
sub-folders instead); it is data, not code.
"""
from django.db import migrations

GRANTS = {
    "view_collection": ["Librarian", "Brand manager", "Editor", "Contributor", "Viewer"],
    "contribute_collection": ["Editor", "Contributor"],
    "manage_collection": ["Admin"],
}
NAMES = {"view_collection": "Can view collection", "contribute_collection": "Add assets to the collection",
         "manage_collection": "Manage the collection and its grants"}


def create_library(apps, schema_editor):
    Collection = apps.get_model("assets", "Collection")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupPerm = apps.get_model("assets", "CollectionGroupObjectPermission")
    if Collection.objects.filter(parent=None, name="Library").exists():
        return
    library = Collection.objects.create(name="Library", description="Everything, unless a folder is restricted.")
    library.path = f"/{library.pk}/"
    library.save(update_fields=["path"])
    content_type, _ = ContentType.objects.get_or_create(app_label="assets", model="collection")
    for codename, groups in GRANTS.items():
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": NAMES[codename]})
        for group in Group.objects.filter(name__in=groups):
            GroupPerm.objects.get_or_create(group=group, permission=permission, content_object=library)


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(create_library, migrations.RunPython.noop)]
