"""Comments pinned to a region of the picture: the review page offers a keyboard way to mark one (a box moved with
the arrow keys) and a plain comment on the whole image; what the page sends is judged by the service alone, and
a refusal comes back beside the form with the typed comment kept. (The keyboard itself: tests/e2e.)"""
from __future__ import annotations

import json

import pytest

from tests.factories import approve_for_test, upload_as
from workflows.models import Comment


@pytest.fixture
def picture(people):
    return upload_as(people["contributor"], title="Quay at noon").current_version


def comment(client, version, body, region=None):
    return client.post(f"/reviews/versions/{version.pk}/comments/",
                       {"body": body, "region": json.dumps(region) if region is not None else ""})


def test_a_region_comment_is_stored_as_fractions_of_the_picture(web, picture):
    response = comment(web("editor"), picture, "The crane is cut off.", {"x": 0.2, "y": 0.3, "w": 0.4, "h": 0.25})
    stored = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{stored.pk}")
    assert stored.region == {"x": 0.2, "y": 0.3, "w": 0.4, "h": 0.25}


def test_a_comment_on_the_whole_image_has_no_region(web, picture):
    comment(web("editor"), picture, "Colours are right.")
    assert Comment.objects.get().region is None


@pytest.mark.parametrize("region", [{"x": 0.8, "y": 0.1, "w": 0.4, "h": 0.2}, {"x": -0.1, "y": 0, "w": 0.2, "h": 0.2},
                                    {"x": 0.1, "y": 0.1, "w": 0, "h": 0.2}, {"x": 0.1}])
def test_a_region_outside_the_picture_is_refused_beside_the_form_and_the_comment_kept(web, picture, region):
    response = comment(web("editor"), picture, "Look here.", region)
    page = response.content.decode()
    assert response.status_code == 400
    assert ("The rectangle must lie inside the image." in page) or ("Give x, y, w and h" in page)
    assert "Look here.</textarea>" in page and not Comment.objects.exists()


def test_a_region_that_cannot_be_read_is_asked_again(web, picture):
    response = web("editor").post(f"/reviews/versions/{picture.pk}/comments/", {"body": "Here.", "region": "{oops"})
    assert response.status_code == 400 and "The region could not be read" in response.content.decode()


def test_the_page_offers_the_keyboard_way_and_pairs_comments_with_their_regions(web, people, picture):
    editor = web("editor")
    comment(editor, picture, "The crane is cut off.", {"x": 0.2, "y": 0.3, "w": 0.4, "h": 0.25})
    pinned = Comment.objects.get()
    page = editor.get(f"/reviews/versions/{picture.pk}/").content.decode()
    assert "Mark a region</button>" in page and "Comment on the whole image</a>" in page
    assert 'id="region-marker" role="application"' in page and 'aria-describedby="region-keys"' in page
    assert 'aria-live="polite" data-region-readout' in page
    # The region on the picture and its comment in the list carry the same key; the comment can take focus.
    assert f'href="#comment-{pinned.pk}" data-comment="{pinned.pk}"' in page
    assert 'aria-label="Region 1: The crane is cut off."' in page
    assert f'id="comment-{pinned.pk}" class="comment" tabindex="0" data-comment="{pinned.pk}"' in page


def test_who_may_not_comment_gets_no_marking_tools(web, people):
    approved = upload_as(people["editor"], title="Approved quay")
    approve_for_test(approved)
    page = web("viewer").get(f"/reviews/versions/{approved.current_version_id}/").content.decode()
    assert "Mark a region" not in page and "region-marker" not in page
