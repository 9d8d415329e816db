"""Near-duplicates by perceptual hash: the banded lookup finds exactly what reading every hash finds."""
from __future__ import annotations

import random

import pytest
from django.db import connection

from assets import selectors, similarity
from assets.models import AssetVersion
from tests.factories import approve_for_test, make_asset, new_revision

pytestmark = pytest.mark.django_db

BASE = 0x9F3A_5C21_E07B_46D8


def flip(value: int, bits_per_band: tuple[int, int, int, int]) -> int:
    """`value` with the lowest n bits of each band flipped, n given per band (band 0 = first hex digits)."""
    for band, count in enumerate(bits_per_band):
        shift = (similarity.BANDS - 1 - band) * similarity.BAND_BITS
        value ^= ((1 << count) - 1) << shift
    return value


def hashed(owner, value: int | str, *, approved: bool = True):
    asset = make_asset(owner, title=f"hash {value}")
    phash = value if isinstance(value, str) else f"{value:016x}"
    AssetVersion.objects.filter(pk=asset.current_version_id).update(phash=phash)
    if approved:
        approve_for_test(asset)
    return asset


def every_hash_read(user, asset) -> list[tuple[str, int]]:
    """What visually_similar answered before the bands: every other visible asset's shown hash measured."""
    mine = similarity.parse(selectors.version_shown_to(user, asset).phash)
    if mine is None:
        return []
    close = []
    for other in selectors.assets_visible_to(user).exclude(pk=asset.pk):
        theirs = selectors.version_shown_to(user, other)
        value = similarity.parse(theirs.phash) if theirs is not None else None
        if value is not None and similarity.distance(mine, value) <= similarity.THRESHOLD:
            close.append((similarity.distance(mine, value), other.pk))
    return [(str(pk), apart) for apart, pk in sorted(close)]


def found(user, asset) -> list[tuple[str, int]]:
    return [(str(other.pk), apart) for other, apart in selectors.visually_similar(user, asset, limit=1000)]


def test_hashes_within_the_threshold_are_found_however_their_bits_fall_across_the_bands(people):
    """The threshold is 10 bits over 4 bands of 16: one band is then at most 2 bits apart, which is what
    the lookup enumerates. 10 bits in one band, or spread 3/3/2/2 or 3/3/3/1, must all be found; 11 and
    12 bits are over the threshold."""
    editor = people["editor"]
    base = hashed(editor, BASE)
    within = {spread: hashed(editor, flip(BASE, spread))
              for spread in [(0, 0, 0, 0), (0, 0, 0, 1), (2, 2, 2, 2), (3, 3, 2, 2), (3, 3, 3, 1), (10, 0, 0, 0),
                             (0, 0, 0, 10), (5, 5, 0, 0)]}
    beyond = [hashed(editor, flip(BASE, spread)) for spread in [(3, 3, 3, 2), (3, 3, 3, 3), (11, 0, 0, 0)]]
    hashed(editor, BASE ^ 0xFFFF_FFFF_FFFF_FFFF)

    answer = dict(found(editor, base))
    assert answer == {str(asset.pk): sum(spread) for spread, asset in within.items()}
    assert not {str(asset.pk) for asset in beyond} & set(answer)
    assert found(editor, base) == every_hash_read(editor, base)
    assert [apart for _, apart in found(editor, base)] == sorted(sum(spread) for spread in within)


@pytest.mark.parametrize("chunk", [1000, 1, 4])
def test_the_banded_lookup_agrees_with_reading_every_hash_on_random_pictures(people, monkeypatch, chunk):
    """Clusters of edited pictures (a few bits flipped anywhere) among unrelated ones, some with no hash yet
    or a hash of another length: every asset's answer equals the exhaustive one, also when the close
    versions are looked up among the visible assets a few at a time (as for a blank picture's thousands)."""
    monkeypatch.setattr(selectors, "SIMILAR_CHUNK", chunk)
    rng = random.Random(20261203)
    editor = people["editor"]
    assets = []
    for _ in range(4):
        centre = rng.getrandbits(64)
        for _ in range(6):
            edited = centre
            for bit in rng.sample(range(64), rng.randint(0, 14)):
                edited ^= 1 << bit
            assets.append(hashed(editor, edited))
    assets += [hashed(editor, rng.getrandbits(64)) for _ in range(4)]
    assets += [hashed(editor, ""), hashed(editor, "8f00" * 2)]
    for asset in assets:
        assert found(editor, asset) == every_hash_read(editor, asset), asset.title
        closest = [(str(other.pk), apart) for other, apart in selectors.visually_similar(editor, asset, limit=3)]
        assert closest == every_hash_read(editor, asset)[:3], asset.title


@pytest.mark.parametrize("reader", ["editor", "viewer"])
def test_equally_close_assets_come_in_asset_order_whatever_their_versions_ids(people, monkeypatch, reader):
    """Close versions are looked up by distance and version id, the answer is by distance and asset id: a
    later chunk of equally close versions can still hold an earlier asset."""
    monkeypatch.setattr(selectors, "SIMILAR_CHUNK", 1)
    editor = people["editor"]
    base = hashed(editor, BASE)
    first = hashed(editor, BASE ^ 0xFFFF_FFFF_FFFF_FFFF)
    later = hashed(editor, flip(BASE, (0, 0, 2, 0)))
    revision = new_revision(first, None)  # first's picture, now as close as later's, in a newer version
    AssetVersion.objects.filter(pk=revision.pk).update(phash=f"{flip(BASE, (0, 0, 0, 2)):016x}")
    first.refresh_from_db()
    approve_for_test(first)
    assert revision.pk > later.current_version_id and first.pk < later.pk
    assert found(people[reader], base)[:1] == [(str(first.pk), 2)]
    closest = selectors.visually_similar(people[reader], base, limit=1)
    assert [(str(other.pk), apart) for other, apart in closest] == [(str(first.pk), 2)]


def test_a_viewer_is_never_shown_a_picture_by_a_revision_they_cannot_see(people):
    """Similarity is measured on the version each reader sees: a draft's picture is compared for staff, and
    for a viewer neither its asset is listed nor another is matched through it."""
    editor, viewer = people["editor"], people["viewer"]
    approved = hashed(editor, BASE)
    draft = hashed(editor, flip(BASE, (1, 0, 0, 0)), approved=False)
    assert found(editor, approved) == [(str(draft.pk), 1)]
    assert found(viewer, approved) == []


def test_an_asset_without_a_hash_has_no_similar_assets(people):
    editor = people["editor"]
    hashed(editor, BASE)
    for phash in ("", "not a hash", "9f3a5c21"):
        assert selectors.visually_similar(editor, hashed(editor, phash)) == []


def test_the_lookup_reads_the_bands_indexes_alone(people):
    """The candidates come from the four indexes of migration 0017, each holding the band, the hash and the id,
    so that a lookup reads no table row: a query whose band expression no longer matches theirs, or that
    asked for a column they lack, would read every version or its row again, silently."""
    asset = hashed(people["editor"], BASE)
    rng = random.Random(7)
    AssetVersion.objects.bulk_create(
        AssetVersion(asset=asset, number=n, file=f"originals/plan/{n}", original_filename="x.jpg", sha256=f"{n:064x}",
                     size=1, mime_type="image/jpeg", phash=f"{rng.getrandbits(64):016x}") for n in range(2, 5002))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # 5,000 rows are still few enough for PostgreSQL to read them whole; a library's are not.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        plan = similarity.candidates(AssetVersion.objects.all(), f"{BASE:016x}").explain()
    scans = [line for line in plan.splitlines() if "version_phash_band" in line]
    assert len(scans) == similarity.BANDS, plan
    for band, scan in enumerate(scans):
        assert f"version_phash_band{band}_idx" in scan, plan
        assert ("Index Only Scan" if connection.vendor == "postgresql" else "COVERING INDEX") in scan, plan
    if connection.vendor == "postgresql":
        conditions = [line for line in plan.splitlines() if "Index Cond" in line and "substr((phash)::text" in line]
        assert len(conditions) == similarity.BANDS, plan
