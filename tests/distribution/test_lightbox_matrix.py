"""DESIGN.md's role matrix for lightboxes ("lightboxes: all | own | own ..."), over the API and the UI: every
persona against a lightbox of their own, someone else's not shared with them, one shared to look and one shared
to edit. 404 = may not see it; 403 = sees it but may not do that."""
from __future__ import annotations

import pytest

from assets.services import collection_grant
from distribution import lightbox_services as services
from tests.conftest import PERSONAS
from tests.factories import make_asset, make_collection

ROLES = list(PERSONAS)
RELATIONS = ["own", "stranger", "view_share", "edit_share"]


def expected(role: str, relation: str, action: str) -> int:
    """What `role` gets for `action` on a lightbox in `relation` to them."""
    if role == "admin" or relation == "own":  # admins may do everything to every lightbox
        return {"delete": 204}.get(action, 200)
    if relation == "stranger":
        return 404
    if action == "view":
        return 200
    if action in ("add", "remove", "member") and relation == "edit_share":
        return 200
    return 403  # rename, share, delete: owner and admins only; a view share changes nothing


@pytest.fixture
def boxes(people):
    """For each persona, a lightbox in each relation to them, and an asset every persona may see."""
    folder = make_collection("Open to all")
    for user in people.values():
        collection_grant(collection=folder, level="view", user=user, actor=None)
    asset, other = (make_asset(people["brand_manager"], folder, approved=True) for _ in range(2))
    someone = people["brand_manager"]
    made = {}
    for role, user in people.items():
        owner = people["admin"] if role == "brand_manager" else someone
        made[role] = {
            "own": services.lightbox_create(actor=user, name=f"{role} own", assets=[asset.uid]),
            "stranger": services.lightbox_create(actor=owner, name=f"not for {role}", assets=[asset.uid]),
            "view_share": services.lightbox_create(actor=owner, name=f"{role} may look", assets=[asset.uid]),
            "edit_share": services.lightbox_create(actor=owner, name=f"{role} may edit", assets=[asset.uid]),
        }
        if role != "admin":  # the admin needs no share; sharing with the owner is refused
            for relation, can_edit in (("view_share", False), ("edit_share", True)):
                services.lightbox_share(lightbox=made[role][relation], actor=owner, username=user.username,
                                        can_edit=can_edit)
    return made, asset, other


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(role, boxes, api):
    made, asset, other = boxes
    client = api[role]
    got, want = {}, {}
    for relation in RELATIONS:
        url = f"/api/v1/lightboxes/{made[role][relation].pk}/"
        got[(relation, "view")] = client.get(url).status_code
        got[(relation, "add")] = client.post(url + "assets/", {"assets": [str(other.uid)]}, format="json").status_code
        got[(relation, "member")] = client.patch(url + f"assets/{asset.uid}/", {"note": "n"},
                                                 format="json").status_code
        got[(relation, "remove")] = client.delete(url + "assets/", {"assets": [str(other.uid)]},
                                                  format="json").status_code
        got[(relation, "rename")] = client.patch(url, {"name": "Renamed"}, format="json").status_code
        got[(relation, "share")] = client.patch(url, {"shared_with": {"groups": ["Viewer"]}},
                                                format="json").status_code
        got[(relation, "delete")] = client.delete(url).status_code
        for action in ("view", "add", "member", "remove", "rename", "share", "delete"):
            want[(relation, action)] = expected(role, relation, action)
    assert got == want
    assert client.post("/api/v1/lightboxes/", {"name": "New", "assets": [str(asset.uid)]},
                       format="json").status_code == 201


@pytest.mark.parametrize("role", ROLES)
def test_ui_matrix(role, boxes, web):
    made, asset, other = boxes
    client = web(role)
    got, want = {}, {}
    for relation in RELATIONS:
        lightbox = made[role][relation]
        url = lightbox.get_absolute_url()
        item = lightbox.items.get()
        got[(relation, "view")] = client.get(url).status_code
        got[(relation, "member")] = client.post(f"{url}items/{item.pk}/note/", {"note": "n"}).status_code
        got[(relation, "move")] = client.post(f"{url}items/{item.pk}/move/", {"position": "0"}).status_code
        got[(relation, "rename")] = client.post(f"{url}edit/", {"name": "Renamed"}).status_code
        got[(relation, "share")] = client.post(f"{url}shares/", {"group": "Viewer", "access": "view"}).status_code
        got[(relation, "remove")] = client.post(f"{url}items/{item.pk}/remove/").status_code
        got[(relation, "delete")] = client.post(f"{url}delete/").status_code
        for action in ("view", "member", "move", "rename", "share", "remove", "delete"):
            code = expected(role, relation, "member" if action == "move" else action)
            want[(relation, action)] = 302 if code in (200, 204) and action != "view" else code
    assert got == want
    assert client.get("/lightboxes/").status_code == 200
