"""Revisions in each review state, made through the workflow services by the personas."""
from __future__ import annotations

import pytest

from assets.models import Asset, AssetVersion, ReviewState
from tests.factories import new_revision, upload_as
from workflows import services


def in_state(people, state: str) -> AssetVersion:
    """A revision uploaded and submitted by the contributor, then taken to `state` by editor and brand manager."""
    contributor, editor, brand = people["contributor"], people["editor"], people["brand_manager"]
    asset = upload_as(contributor)
    version = asset.current_version
    if state == ReviewState.DRAFT:
        return version
    services.version_submit(version_id=version.pk, actor=contributor)
    if state == ReviewState.CHANGES_REQUESTED:
        services.version_request_changes(version_id=version.pk, actor=editor, comment="Crop tighter.")
    elif state == ReviewState.REJECTED:
        services.version_reject(version_id=version.pk, actor=editor, comment="Off brand.")
    elif state in (ReviewState.APPROVED, ReviewState.SUPERSEDED):
        services.version_approve(version_id=version.pk, actor=editor)
        services.version_approve(version_id=version.pk, actor=brand)
        if state == ReviewState.SUPERSEDED:
            newer = new_revision(Asset.objects.get(pk=asset.pk), contributor)
            services.version_submit(version_id=newer.pk, actor=contributor)
            services.version_approve(version_id=newer.pk, actor=editor)
            services.version_approve(version_id=newer.pk, actor=brand)
    version.refresh_from_db()
    assert version.review_state == state
    return version


@pytest.fixture
def revision_in(people):
    return lambda state: in_state(people, state)
