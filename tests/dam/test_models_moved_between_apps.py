"""The models that left the assets app (for ingest, search and taxonomy) keep their rows on a database migrated
from before the move: rows written through the old models are read through the new ones, M2M links included,
and their content types (which permissions and audit events point at) follow them."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import AuditEvent
from ingest.models import IngestBatch, IngestItem
from search.models import SavedSearch, SavedSearchVisit
from taxonomy.models import MetadataField, NamingRule, TermProposal
from tests.factories import library, make_asset, make_user

# The last migrations before the move, and the first that took the models over.
BEFORE = [("assets", "0018_search_text_apart"), ("taxonomy", "0002_vocab_language_external_links")]
MOVED = {"ingest": ["ingestbatch", "ingestitem"], "taxonomy": ["metadatafield", "namingrule", "termproposal"],
         "search": ["searchtext", "searchdocument", "assetcolor", "vocabularygeneration", "savedsearch",
                    "savedsearchvisit"]}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_rows_written_before_the_move_are_read_after_it():
    editor = make_user("mover", role=None)
    asset = make_asset(editor, title="Harbour")
    folder = library()
    audit_before = AuditEvent.objects.count()
    old = _migrate(BEFORE)
    assert set(ContentType.objects.filter(model="ingestbatch").values_list("app_label", flat=True)) == {"assets"}

    batch = old.get_model("assets", "IngestBatch").objects.create(created_by_id=editor.pk, collection_id=folder.pk)
    old.get_model("assets", "IngestItem").objects.create(batch=batch, filename="x.jpg", outcome="rejected",
                                                         reason="Not an image.")
    saved = old.get_model("assets", "SavedSearch").objects.create(owner_id=editor.pk, name="Harbour",
                                                                  query="q=harbour")
    old.get_model("assets", "SavedSearchVisit").objects.create(search=saved, user_id=editor.pk,
                                                               seen_at=timezone.now())
    old.get_model("assets", "TermProposal").objects.create(asset_id=asset.pk, label="lighthouse",
                                                           proposed_by_id=editor.pk)
    old.get_model("assets", "NamingRule").objects.create(pattern="{campaign}_{type}", collection_id=folder.pk)
    field = old.get_model("assets", "MetadataField").objects.create(key="photographer", label="Photographer")
    field.collections.set([folder.pk])

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    item = IngestItem.objects.select_related("batch").get()
    assert (item.batch.created_by, item.batch.collection, item.reason) == (editor, folder, "Not an image.")
    assert IngestBatch.objects.count() == 1
    visit = SavedSearchVisit.objects.select_related("search").get()
    assert (visit.search.name, visit.user) == ("Harbour", editor) and SavedSearch.objects.count() == 1
    assert TermProposal.objects.get().asset == asset
    assert NamingRule.objects.get().collection == folder
    assert list(MetadataField.objects.get(key="photographer").collections.all()) == [folder]
    # The search index rows of the asset made before the move are there, under the new app.
    assert asset.search_document.asset_type == asset.asset_type and asset.search_text.title
    for app_label, models in MOVED.items():
        assert set(ContentType.objects.filter(model__in=models).values_list("app_label", flat=True)) == {app_label}
    assert AuditEvent.objects.count() == audit_before
