"""Ingest, search and the metadata schema left the assets app for their own (ingest, search, taxonomy).

Only Django's record of where each model lives changes here: the tables stay, with
their names, rows, indexes and triggers (each moved model keeps its table through
db_table). The apps that took them over declare them in their own migrations, which
also move their content types, so permissions and audit events keep pointing at them.
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0018_search_text_apart'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='assetcolor',
                name='asset',
            ),
            migrations.RemoveField(
                model_name='ingestbatch',
                name='collection',
            ),
            migrations.RemoveField(
                model_name='ingestbatch',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='ingestitem',
                name='batch',
            ),
            migrations.RemoveField(
                model_name='ingestitem',
                name='asset',
            ),
            migrations.RemoveField(
                model_name='ingestitem',
                name='duplicate_of',
            ),
            migrations.RemoveField(
                model_name='ingestitem',
                name='version',
            ),
            migrations.RemoveField(
                model_name='metadatafield',
                name='collections',
            ),
            migrations.RemoveField(
                model_name='metadatafield',
                name='vocabulary',
            ),
            migrations.RemoveField(
                model_name='namingrule',
                name='collection',
            ),
            migrations.RemoveField(
                model_name='savedsearch',
                name='owner',
            ),
            migrations.RemoveField(
                model_name='savedsearch',
                name='shared_with',
            ),
            migrations.RemoveField(
                model_name='savedsearchvisit',
                name='search',
            ),
            migrations.RemoveField(
                model_name='savedsearchvisit',
                name='user',
            ),
            migrations.RemoveField(
                model_name='searchdocument',
                name='asset',
            ),
            migrations.RemoveField(
                model_name='searchtext',
                name='asset',
            ),
            migrations.RemoveField(
                model_name='termproposal',
                name='asset',
            ),
            migrations.RemoveField(
                model_name='termproposal',
                name='proposed_by',
            ),
            migrations.RemoveField(
                model_name='termproposal',
                name='resolved_by',
            ),
            migrations.RemoveField(
                model_name='termproposal',
                name='term',
            ),
            migrations.RemoveField(
                model_name='termproposal',
                name='vocabulary',
            ),
            migrations.DeleteModel(
                name='VocabularyGeneration',
            ),
            migrations.DeleteModel(
                name='AssetColor',
            ),
            migrations.DeleteModel(
                name='IngestBatch',
            ),
            migrations.DeleteModel(
                name='IngestItem',
            ),
            migrations.DeleteModel(
                name='MetadataField',
            ),
            migrations.DeleteModel(
                name='NamingRule',
            ),
            migrations.DeleteModel(
                name='SavedSearch',
            ),
            migrations.DeleteModel(
                name='SavedSearchVisit',
            ),
            migrations.DeleteModel(
                name='SearchDocument',
            ),
            migrations.DeleteModel(
                name='SearchText',
            ),
            migrations.DeleteModel(
                name='TermProposal',
            ),
        ]),
    ]
