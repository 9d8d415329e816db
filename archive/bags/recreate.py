"""Writing a validated bag's assets into the database and the file store (called by services.bag_restore,
inside its transaction). Files go where ingest puts originals; every stored key is reported back so that a
failure removes them all."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db.models import ProtectedError
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import AuditEvent, User
from archive.bags.restore import BagRefused, ReadBag
from assets.models import Asset, AssetTerm, AssetVersion, Collection, Rendition, original_upload_to
from assets.originals import original_storage
from assets.services import collection_create
from workflows.models import ApprovalPolicy, Review, ReviewDecision

RIGHTS = ("licence", "rights_holder", "usage_terms", "channels")


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _day(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) and value else None


class Recreator:
    """Recreates one bag's assets; `stored` are the file keys written, `doomed` the keys of replaced assets'
    files, to remove once the transaction commits."""

    def __init__(self, read_bag: ReadBag) -> None:
        self.bag = read_bag
        self.stored: list[str] = []
        self.doomed: list[tuple[Storage, str]] = []
        self.unknown_people: set[str] = set()
        self.new_versions: list[int] = []
        names = set()
        for record in read_bag.assets:
            names |= {record.get("owner"), *(v.get("uploaded_by") for v in record.get("versions", []))}
            names |= {r.get("submitted_by") for r in record.get("reviews", [])}
            names |= {d.get("reviewer") for r in record.get("reviews", []) for d in r.get("decisions", [])}
            names |= {e.get("actor") for e in record.get("events", [])}
        self.people = {u.get_username(): u for u in User.objects.filter(username__in=[n for n in names if n])}

    def person(self, name: str | None) -> User | None:
        if not name:
            return None
        if name not in self.people:
            self.unknown_people.add(name)
        return self.people.get(name)

    def remove_existing(self, uid: str) -> None:
        asset = Asset.objects.filter(uid=uid).first()
        if asset is None:
            return
        keys = [(original_storage(v), v.file.name) for v in asset.versions.all()]
        keys += [(default_storage, r.file.name)
                 for r in Rendition.objects.filter(version__asset=asset).exclude(file="")]
        try:
            asset.delete()
        except ProtectedError:
            raise BagRefused(f"Asset {uid} cannot be replaced: other records depend on it "
                             "(usages, lightboxes); archive it instead.") from None
        self.doomed += keys

    def collection(self, names: list[str]) -> Collection:
        parent = None
        for name in names or ["Library"]:
            found = Collection.objects.filter(parent=parent, name=name).first()
            parent = found or collection_create(name=name, parent=parent, actor=None)
        assert parent is not None
        return parent

    def asset(self, record: dict[str, Any]) -> Asset:
        rights = record.get("rights", {})
        team = Group.objects.filter(name=record["team"]).first() if record.get("team") else None
        asset = Asset.objects.create(
            uid=record["uid"], title=record["title"][:300], description=record.get("description", ""),
            collection=self.collection(record.get("collection", [])), asset_type=record.get("asset_type", "other"),
            owner=self.person(record.get("owner")), team=team, campaign=record.get("campaign", ""),
            **{k: rights.get(k) or ([] if k == "channels" else "") for k in RIGHTS},
            rights_expire_at=_when(rights.get("rights_expire_at")), embargo_until=_when(rights.get("embargo_until")),
            focal_x=record.get("focal_x"), focal_y=record.get("focal_y"), metadata=record.get("metadata") or {},
            archived_at=_when(record.get("archived_at")),
        )
        for term in record.get("terms", []):
            AssetTerm.objects.create(asset=asset, term=self.bag.terms[term["uri"]], source=term.get("source", "human"),
                                     confidence=term.get("confidence"))
        versions = {v["number"]: self.version(asset, v) for v in record.get("versions", [])}
        asset.current_version = versions.get(record.get("current_version"))
        asset.approved_version = versions.get(record.get("approved_version"))
        asset.save(update_fields=["current_version", "approved_version", "updated_at"])
        Asset.objects.filter(pk=asset.pk).update(created_at=_when(record.get("created_at")) or asset.created_at)
        reviews = [self.review(versions, r) for r in record.get("reviews", [])]
        self.events(asset, versions, reviews, record.get("events", []))
        return asset

    def version(self, asset: Asset, fields: dict[str, Any]) -> AssetVersion:
        with open(self.bag.payload(fields["path"]), "rb") as fh:
            key = default_storage.save(original_upload_to(None, ""), File(fh))  # type: ignore[arg-type]
        self.stored.append(key)
        version = AssetVersion.objects.create(
            asset=asset, number=fields["number"], file=key, original_filename=fields["original_filename"],
            sha256=fields["sha256"], size=fields["size"], mime_type=fields["mime_type"], width=fields.get("width"),
            height=fields.get("height"), duration=fields.get("duration"), pages=fields.get("pages"),
            embedded_metadata=fields.get("embedded_metadata") or {}, phash=fields.get("phash", ""),
            dominant_colors=fields.get("dominant_colors") or [], camera_make=fields.get("camera_make", ""),
            camera_model=fields.get("camera_model", ""), captured_on=_day(fields.get("captured_on")),
            uploaded_by=self.person(fields.get("uploaded_by")), change_note=fields.get("change_note", ""),
            review_state=fields.get("review_state", "draft"),
        )
        if created := _when(fields.get("created_at")):
            AssetVersion.objects.filter(pk=version.pk).update(created_at=created)
        if version.has_renditions:  # derivatives are made again from the restored original
            Rendition.objects.bulk_create([Rendition(version=version, preset=p) for p in Rendition.Preset])
            self.new_versions.append(version.pk)
        return version

    def review(self, versions: dict[int, AssetVersion], fields: dict[str, Any]) -> Review | None:
        version = versions.get(fields.get("version"))  # type: ignore[arg-type]
        if version is None:
            return None
        policy = (ApprovalPolicy.objects.filter(name=fields.get("policy")).first()
                  or ApprovalPolicy.objects.filter(is_default=True).first())
        if policy is None:
            raise BagRefused("The bag carries review history but this DAM has no approval policy to file it under.")
        review = Review.objects.create(
            version=version, policy=policy, submitted_by=self.person(fields.get("submitted_by")),
            comment=fields.get("comment", ""), snapshot=fields.get("snapshot") or {}, step=fields.get("step", 1),
            step_opened_at=_when(fields.get("step_opened_at")) or version.created_at,
            outcome=fields.get("outcome", Review.Outcome.OPEN), closed_at=_when(fields.get("closed_at")),
        )
        if created := _when(fields.get("created_at")):
            Review.objects.filter(pk=review.pk).update(created_at=created)
        for d in fields.get("decisions", []):
            decision = ReviewDecision.objects.create(
                review=review, step=d["step"], reviewer=self.person(d.get("reviewer")), kind=d["kind"],
                comment=d.get("comment", ""), sha256=d.get("sha256", ""))
            if created := _when(d.get("created_at")):
                ReviewDecision.objects.filter(pk=decision.pk).update(created_at=created)
        return review

    def events(self, asset: Asset, versions: dict[int, AssetVersion], reviews: list[Review | None],
               events: list[dict[str, Any]]) -> None:
        """The history as it was, each event on its restored object. Written with bulk_create, so that no
        receiver (webhooks, usages) takes a years-old event for news."""
        from django.contrib.contenttypes.models import ContentType

        kinds = ContentType.objects.get_for_models(Asset, AssetVersion, Review)
        rows = []
        for event in events:
            target: Any = asset
            where = event.get("target") or {}
            if where.get("kind") == "version" and versions.get(where.get("version")):  # type: ignore[arg-type]
                target = versions[where["version"]]
            elif where.get("kind") == "review" and isinstance(where.get("review"), int) \
                    and where["review"] < len(reviews) and reviews[where["review"]] is not None:
                target = reviews[where["review"]]
            rows.append(AuditEvent(actor=self.person(event.get("actor")), verb=str(event.get("verb", ""))[:64],
                                   target_type=kinds[type(target)], target_id=str(target.pk),
                                   target_repr=event.get("target_repr") or str(target)[:255],
                                   data=event.get("data") or {}))
        made = AuditEvent.objects.bulk_create(rows)
        for row, event in zip(made, events, strict=True):
            if when := _when(event.get("at")):
                AuditEvent.objects.filter(pk=row.pk).update(created_at=when)
