"""Test data built through the services, so tests see what users would have made."""
from __future__ import annotations

import io
import itertools
from pathlib import Path

from PIL import Image

from accounts import services as account_services
from accounts.models import User
from accounts.roles import ROLE_GROUP_NAMES, Role
from assets import services
from assets.models import Asset, AssetVersion, Collection, ReviewState
from ingest.services import asset_ingest, version_ingest
from taxonomy.models import Term, Vocabulary
from workflows import services as workflow

# Real camera files and hostile files from public test suites, kept in the repository (tests/corpus/README.md).
CORPUS = Path(__file__).resolve().parent / "corpus"

_counter = itertools.count(1)


def png_bytes(seed: int | None = None, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small PNG whose bytes differ per seed (so uploads are not duplicates)."""
    seed = next(_counter) if seed is None else seed
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    image.putpixel((0, 0), (seed % 256, (seed // 256) % 256, 7))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_user(username: str, role: Role | None) -> User:
    if role is None:  # an account with no role: signs in, may do nothing
        return User.objects.create_user(username=username, password="pw-" + username)
    return account_services.user_create(username=username, role=role, password="pw-" + username, actor=None,
                                        validate=False)


def library() -> Collection:
    return Collection.objects.get(parent=None, name="Library")


def make_collection(name: str, parent: Collection | None = None) -> Collection:
    return services.collection_create(name=name, parent=parent, actor=None)


def make_term(vocabulary: Vocabulary, label: str, broader: Term | None = None) -> Term:
    term = Term.objects.create(vocabulary=vocabulary, uri=f"{vocabulary.uri}{label.replace(' ', '-')}", label=label)
    if broader is not None:
        term.broader.add(broader)
    return term


def make_asset(owner: User | None, collection: Collection | None = None, *, title: str = "An asset",
               approved: bool = False, data: bytes | None = None, filename: str = "picture.png") -> Asset:
    asset = asset_ingest(fileobj=io.BytesIO(data or png_bytes()), filename=filename, actor=None,
                         collection=collection or library(), title=title)
    asset.owner = owner
    asset.save(update_fields=["owner"])
    if approved:
        approve_for_test(asset)
    return asset


def approve_for_test(asset: Asset) -> None:
    """Data set-up: take the current version through the workflow as the system (no permission checks).

    It submits and signs every step of the asset's policy, so the data is what
    the state machine would have made; tests of the workflow itself act as people.
    """
    version_id = asset.current_version_id
    workflow.version_submit(version_id=version_id, actor=None)
    while AssetVersion.objects.get(pk=version_id).review_state == ReviewState.IN_REVIEW:
        workflow.version_approve(version_id=version_id, actor=None)
    asset.refresh_from_db()


def upload_as(user: User, collection: Collection | None = None, *, title: str = "A revision to review") -> Asset:
    """An asset uploaded by `user` through the service (so its version 1 is theirs)."""
    return asset_ingest(fileobj=io.BytesIO(png_bytes()), filename="picture.png", actor=user,
                        collection=collection or library(), title=title)


def new_revision(asset: Asset, user: User | None) -> AssetVersion:
    return version_ingest(asset=asset, fileobj=io.BytesIO(png_bytes()), filename="next.png", actor=user)


ROLE_GROUPS = ROLE_GROUP_NAMES
