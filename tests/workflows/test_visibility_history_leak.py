"""The asset page's history does not tell viewers about revisions they may not see."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_asset, png_bytes


def test_viewers_do_not_learn_of_unapproved_revisions_from_the_history(people, api, web):
    asset = make_asset(people["editor"], approved=True)
    api["editor"].post(f"/api/v1/assets/{asset.uid}/versions/", {"file": SimpleUploadedFile("v2.png", png_bytes())},
                       format="multipart")
    viewer_page = web("viewer").get(asset.get_absolute_url())
    verbs_and_versions = [(e.verb, e.data.get("version")) for e in viewer_page.context["history"]]
    assert ("assets.version.created", 2) not in verbs_and_versions
    assert ("assets.asset.created", 1) in verbs_and_versions
    editor_page = web("editor").get(asset.get_absolute_url())
    assert ("assets.version.created", 2) in [(e.verb, e.data.get("version")) for e in editor_page.context["history"]]
