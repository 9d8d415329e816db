"""A folder's expiry action may be "as the parent folder" (inherit), the default for new folders.

Today's explicit values are kept: a folder whose choice someone made (archive or notify, or hide chosen on its
expiry page: the audit event archive.rights.expiry_action_set) keeps it. A folder still holding the old default
"hide" that nobody chose becomes "inherit": at the top level that is the same hide, and below it the folder now
follows its parent, as its managers expected of a folder tree.
"""
from django.db import migrations, models


def inherit_where_nobody_chose(apps, schema_editor):
    Collection = apps.get_model("assets", "Collection")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.filter(app_label="assets", model="collection").first()
    chosen = set()
    if kind is not None:
        chosen = {int(pk) for pk in AuditEvent.objects.filter(verb="archive.rights.expiry_action_set",
                                                              target_type=kind).values_list("target_id", flat=True)
                  if str(pk).isdigit()}
    Collection.objects.filter(rights_on_expiry="hide").exclude(pk__in=chosen).update(rights_on_expiry="inherit")


def back_to_hide(apps, schema_editor):
    # Before this migration every folder had its own choice; "inherit" meant nothing. Hide was the default.
    apps.get_model("assets", "Collection").objects.filter(rights_on_expiry="inherit").update(rights_on_expiry="hide")


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0030_retention_bin"),
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="collection",
            name="rights_on_expiry",
            field=models.CharField(choices=[("inherit", "As the parent folder"),
                                            ("hide", "Hide it until its rights are renewed"),
                                            ("archive", "Move it to the archive"),
                                            ("notify", "Keep it in use and only tell its owner and the "
                                                       "collection's managers")],
                                   default="inherit", max_length=10),
        ),
        migrations.RunPython(inherit_where_nobody_chose, back_to_hide),
    ]
