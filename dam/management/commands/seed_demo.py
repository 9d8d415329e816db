"""Demo users (one per role), folders and sample images taken through review, so a first start shows a living
system. It spans every stage, so it lives in the project, above all the apps."""
from __future__ import annotations

import io
import math
import random
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from assets import services
from assets.models import Asset, AssetTerm, Collection
from dam import demo_media
from distribution.integrations import integration_create
from distribution.lightbox_services import lightbox_create
from distribution.models import DownloadEvent, Integration, Lightbox, Preset, ShareLink, Watermark
from distribution.presets import preset_create, watermark_save
from distribution.services import share_link_create
from ingest.services import asset_ingest
from search.models import SearchEvent
from taxonomy.demo import DEMO_TAGS, DEMO_TURTLE, DEMO_URI
from taxonomy.models import MetadataField, Term, Vocabulary
from taxonomy.schema import metadata_field_save
from taxonomy.services import vocabulary_import
from workflows import services as workflow
from workflows.automation import services as automation
from workflows.models import AutomationRule

PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo password
FOLDERS: list[tuple[str, str | None]] = [
    ("Brand", None), ("Campaigns", None), ("Summer 2026", "Campaigns"), ("Agency uploads", "Campaigns"),
    ("Ready for publishing", None), ("Product shots", "Campaigns"),
]
EXAMPLE_RULE = "Publish approved campaign designs"
SAMPLES = [
    ("Sunrise over the harbour", "Brand", (235, 140, 52)),
    ("Team at the spring offsite", "Brand", (52, 120, 235)),
    ("Product shot: trail shoe", "Summer 2026", (40, 170, 100)),
    ("Beach banner draft", "Summer 2026", (230, 200, 60)),
    ("Agency moodboard", "Agency uploads", (170, 60, 160)),
    ("Logo on dark", "Brand", (30, 30, 40)),
]
DRAFT_PRODUCT = "Trail shoe, side view"
SKU = "TS-2026-042"  # "Product shot: trail shoe"'s SKU, which the hang tag's QR code holds
# Real photos (dam/demo_files/) and files made at seed time (dam/demo_media.py), each left in a review state, so
# every state and every kind of file is there to look at: (title, folder, file name, maker, state, description).
MEDIA: list[tuple[str, str, str, Any, str, str]] = [
    ("Hillside village, Tuscany", "Brand", "hillside-village.jpg", "hillside-village.jpg", "approved",
     "Terraces and red roofs above the valley; camera and GPS in the file."),
    ("Coffee at the corner bar", "Brand", "coffee.jpg", "coffee.jpg", "approved", "An espresso on a red saucer."),
    ("Rocket launch at dusk", "Agency uploads", "rocket-launch.jpg", "rocket-launch.jpg", "approved",
     "A launch pad lit up against a blue evening sky."),
    ("Summer trail week poster", "Campaigns", "summer-trail-week.jpg", demo_media.poster, "approved",
     "The campaign poster, with its words printed on it."),
    ("Trail shoe hang tag", "Agency uploads", "trail-shoe-hang-tag.jpg", lambda: demo_media.hang_tag(SKU),
     "approved", "The trail shoe's hang tag on the trail; its QR code holds the shoe's SKU."),
    ("Harbour teaser video", "Brand", "harbour-teaser.mp4", demo_media.video, "approved", "Two seconds of sunrise."),
    ("Voice note: harbour photos", "Brand", "voice-note.flac", "voice-note.flac", "approved",
     "What the archive needs from the harbour shoot, spoken."),
    ("Brand colours and logo use", "Brand", "brand-sheet.pdf", demo_media.brochure_pdf, "approved",
     "Two pages: the brand colours and how to use the logo."),
    ("Astronaut portrait", "Agency uploads", "astronaut.jpg", "astronaut.jpg", "in_review", "A portrait, one face."),
    ("Frangipani in bloom", "Agency uploads", "frangipani.jpg", "frangipani.jpg", "rejected", "A flower close up."),
    ("Office cat", "Agency uploads", "office-cat.jpg", "cat.jpg", "draft", "Not submitted yet."),
]
# Display names, so pages and history say who did what in words rather than in user names.
DEMO_NAMES = {Role.ADMIN: ("Alex", "Morgan"), Role.LIBRARIAN: ("Lena", "Fischer"),
              Role.BRAND_MANAGER: ("Bruno", "Costa"), Role.EDITOR: ("Erin", "Walsh"),
              Role.CONTRIBUTOR: ("Chris", "Okafor"), Role.VIEWER: ("Vera", "Lind")}


def sample_image(colour: tuple[int, int, int], seed: int) -> bytes:
    """A small gradient picture with shapes, so thumbnails look like something."""
    width, height = 1200, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - t) + 255 * t * 0.6) for c in colour))
    for i in range(6):
        r = 60 + 25 * ((seed + i) % 5)
        cx = int(width / 2 + math.cos(seed + i) * 380)
        cy = int(height / 2 + math.sin(seed * 2 + i) * 220)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


class Command(BaseCommand):
    help = "Create demo users, collections and sample assets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=PASSWORD, help="Password for every demo user.")

    def handle(self, *args: Any, **options: Any) -> None:
        # One transaction: on SQLite each commit waits for the disk, and the demo makes some thousand rows
        # (measured: 22 s in separate commits). The jobs it queues (renditions) go out when it commits.
        with transaction.atomic():
            users = self._seed(options["password"])
        self.stdout.write(f"Demo users (password for each: {options['password']}):")
        for role, user in users.items():
            self.stdout.write(f"  {user.username:<20} {role.label}")

    def _seed(self, password: str) -> dict[Role, User]:
        users: dict[Role, User] = {}
        for role in Role:
            name = f"demo_{role.value}"
            user = User.objects.filter(username=name).first()
            if user is None:
                user = account_services.user_create(username=name, role=role, password=password,
                                                    email=f"{name}@example.com", actor=None, validate=False)
            if not user.first_name and role in DEMO_NAMES:
                user.first_name, user.last_name = DEMO_NAMES[role]
                user.save(update_fields=["first_name", "last_name"])
            users[role] = user
        library = Collection.objects.get(parent=None, name="Library")
        folders = {"Library": library}
        for name, parent_name in FOLDERS:
            parent = folders[parent_name] if parent_name else library
            existing = Collection.objects.filter(parent=parent, name=name).first()
            folders[name] = existing or services.collection_create(name=name, parent=parent, actor=None)
        created = []
        for i, (title, folder, colour) in enumerate(SAMPLES):
            if Asset.objects.filter(title=title).exists():
                continue
            uploader = users[Role.CONTRIBUTOR] if i % 2 else users[Role.EDITOR]
            created.append(asset_ingest(
                fileobj=io.BytesIO(sample_image(colour, i)), filename=f"{slugify(title)}.jpg", actor=uploader,
                collection=folders[folder], title=title, description=f"Demo asset in {folder}."))
        self._vocabulary(users[Role.LIBRARIAN])
        self._review(created, users)
        self._media(folders, users)
        self._required_field(folders["Product shots"], users[Role.CONTRIBUTOR])
        self._distribution(folders["Brand"])
        self._rights(created)
        self._usage(created, users)
        self._automation(folders, users)
        self._share(users[Role.EDITOR])
        return users

    def _vocabulary(self, librarian: User) -> None:
        """The demo vocabulary, its terms on the sample assets, and one (optional) schema field."""
        if not Vocabulary.objects.filter(uri=DEMO_URI).exists():
            vocabulary_import(data=DEMO_TURTLE.encode(), filename="demo.ttl", actor=None)
        for title, names in DEMO_TAGS.items():
            asset = Asset.objects.filter(title=title).first()
            for term in Term.objects.filter(uri__in=[DEMO_URI + name for name in names]) if asset else []:
                AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={"added_by": librarian})
        if not MetadataField.objects.filter(key="photographer").exists():
            metadata_field_save(field=None, actor=None, data={
                "key": "photographer", "label": "Photographer", "field_type": MetadataField.Type.TEXT,
                "help_text": "Who took the picture.", "order": 1})

    def _media(self, folders: dict[str, Collection], users: dict[Role, User]) -> None:
        """Real photos, a poster, a hang tag with a QR code, a video, a recording and a PDF (MEDIA), each taken
        to its review state by the demo people."""
        for i, (title, folder, filename, source, state, description) in enumerate(MEDIA):
            if Asset.objects.filter(title=title).exists():
                continue
            data = demo_media.demo_file(source) if isinstance(source, str) else source()
            uploader = users[Role.CONTRIBUTOR] if i % 2 else users[Role.EDITOR]
            asset = asset_ingest(fileobj=io.BytesIO(data), filename=filename, actor=uploader,
                                 collection=folders[folder], title=title, description=description)
            self._to_state(asset, state, users)

    def _to_state(self, asset: Asset, state: str, users: dict[Role, User]) -> None:
        """Submit, approve (both steps) or reject the asset's first version, as the demo workflow's people."""
        version_id, uploader = asset.current_version_id, asset.owner
        if state == "draft" or version_id is None or uploader is None:
            return
        workflow.version_submit(version_id=version_id, actor=uploader, comment="Ready for review.")
        first_step = users[Role.ADMIN] if uploader == users[Role.EDITOR] else users[Role.EDITOR]
        if state == "rejected":
            workflow.version_reject(version_id=version_id, actor=first_step,
                                    comment="Not for this season: the campaign shows no flowers.")
        elif state == "approved":
            workflow.version_approve(version_id=version_id, actor=first_step, comment="Checked.")
            workflow.version_approve(version_id=version_id, actor=users[Role.BRAND_MANAGER], comment="On brand.")

    def _required_field(self, products: Collection, contributor: User) -> None:
        """Schema fields: the product SKU (on the product shot; the hang tag's QR code holds it, and content
        analysis links the two), and a required one, the season of the product shots, missing on a draft there
        so its page shows what is needed before review. Made after the reviews, so no sample waits for it."""
        if not MetadataField.objects.filter(key="sku").exists():
            metadata_field_save(field=None, actor=None, data={
                "key": "sku", "label": "Product SKU", "field_type": MetadataField.Type.TEXT, "order": 2,
                "help_text": "The product in the picture, as the shop lists it (e.g. TS-2026-042)."})
        if not MetadataField.objects.filter(key="season").exists():
            metadata_field_save(field=None, actor=None, data={
                "key": "season", "label": "Season", "field_type": MetadataField.Type.CHOICE, "required": True,
                "choices": ["Spring", "Summer", "Autumn", "Winter"], "asset_types": ["image"],
                "collections": [products], "order": 0, "help_text": "Which collection the product belongs to."})
        product = Asset.objects.filter(title="Product shot: trail shoe").first()
        if product is not None and not (product.metadata or {}).get("sku"):
            services.asset_update(asset=product, actor=None, changes={"metadata": {**(product.metadata or {}),
                                                                                   "sku": SKU}})
        if not Asset.objects.filter(title=DRAFT_PRODUCT).exists():
            asset_ingest(fileobj=io.BytesIO(sample_image((60, 150, 90), 7)), filename="trail-shoe-side.jpg",
                         actor=contributor, collection=products, title=DRAFT_PRODUCT,
                         description="A draft: its season is still to be filled in.")

    def _share(self, sharer: User) -> None:
        """A share link to three approved pictures, in web and print sizes, for a month."""
        if ShareLink.objects.filter(title="Summer picks for the agency").exists():
            return
        assets = list(Asset.objects.filter(title__in=["Sunrise over the harbour", "Hillside village, Tuscany",
                                                      "Coffee at the corner bar"]).exclude(approved_version=None))
        if assets:
            share_link_create(actor=sharer, assets=assets, title="Summer picks for the agency",
                              description="Three approved pictures for the summer brief.", presets=["web", "print"],
                              expires_at=timezone.now() + timedelta(days=30))

    def _distribution(self, brand: Collection) -> None:
        """The Brand folder delivers publicly (a website's images); an integration for the picker's example page;
        a watermark naming the recipient."""
        if brand.delivery != Collection.Delivery.PUBLIC:
            services.collection_set_delivery(collection=brand, delivery=Collection.Delivery.PUBLIC, actor=None)
        if not Integration.objects.filter(name="Picker example").exists():
            # docs/picker-example.html served by `python3 -m http.server 8080 -d docs` may use the picker.
            integration_create(actor=None, name="Picker example",
                               allowed_origins=["http://localhost:8080", "http://127.0.0.1:8080"])
        if not Watermark.objects.filter(name="Shared with").exists():
            watermark_save(actor=None, name="Shared with", kind=Watermark.Kind.TEXT, text="Shared with {recipient}",
                           position=Watermark.Position.BOTTOM_RIGHT, scale=40, opacity=60)

    def _automation(self, folders: dict[str, Collection], users: dict[Role, User]) -> None:
        """The mission's example rule, switched off: on the final approval of a design in Campaigns, make web
        JPEG and PNG copies, watermark copies for the Partners lightbox, move it into Ready for publishing and
        tell the social-media team. With what it needs: a PNG preset, the lightbox and the team."""
        admin = users[Role.ADMIN]
        team, made = Group.objects.get_or_create(name="Social media team")
        if made:
            team.user_set.add(users[Role.EDITOR], users[Role.BRAND_MANAGER])
        if not Preset.objects.filter(name="web-png").exists():
            preset_create(actor=None, name="web-png", label="Web PNG", format=Preset.Format.PNG, max_width=2048,
                          max_height=2048, description="PNG up to 2048 px, for websites.")
        partners = Lightbox.objects.filter(name="Partners").first() or lightbox_create(actor=admin, name="Partners")
        if AutomationRule.objects.filter(name=EXAMPLE_RULE).exists():
            return
        automation.rule_create(
            actor=admin, name=EXAMPLE_RULE, trigger="version_approved", enabled=False,
            conditions={"collection": folders["Campaigns"].pk, "asset_types": ["image"]},
            actions=[
                {"type": "make_derivatives", "params": {"presets": ["web", "web-png"]}},
                {"type": "watermark", "params": {"presets": ["web", "web-png"], "watermark": "Shared with",
                                                 "recipient": "Partners"}},
                {"type": "add_to_lightbox", "params": {"lightbox": partners.pk}},
                {"type": "move", "params": {"collection": folders["Ready for publishing"].pk}},
                {"type": "notify", "params": {"groups": ["Social media team"],
                                              "message": "“{title}” is approved and ready for publishing: {url}"}},
            ])

    def _rights(self, assets: list[Asset]) -> None:
        """Usage rights on the new samples; the product shot's licence runs out in twelve days, so the "Rights
        expiring" report has something in it."""
        soon = timezone.now() + timedelta(days=12)
        for asset in assets:
            expiring = asset.title == "Product shot: trail shoe"
            services.asset_update(asset=asset, actor=None, changes={
                "licence": "Rights-managed" if expiring else "All rights reserved",
                "rights_holder": "Trailhead Studio" if expiring else "Demo Company Ltd",
                "credit_line": "Photo: Trailhead Studio" if expiring else "Demo Company",
                "usage_terms": "Web and social only, Europe." if expiring else "",
                "rights_expire_at": soon if expiring else None})

    def _usage(self, assets: list[Asset], users: dict[Role, User]) -> None:
        """A month of downloads and searches behind the new samples, so the analytics page has something to
        draw. Written as history (backdated rows), not through the views that record them as they happen."""
        if not assets:
            return
        rng = random.Random(2026)  # the same demo month on every machine
        now = timezone.now()
        approved = list(Asset.objects.filter(pk__in=[a.pk for a in assets]).exclude(approved_version=None)
                        .order_by("pk"))
        channels = [DownloadEvent.Channel.WEB] * 5 + [DownloadEvent.Channel.SHARE, DownloadEvent.Channel.DELIVERY,
                                                      DownloadEvent.Channel.API]
        # The first approved sample is the popular one; the last is never downloaded (an archiving candidate).
        for weight, asset in zip(range(len(approved) - 1, 0, -1), approved, strict=False):
            for _ in range(weight * 6):
                event = DownloadEvent.objects.create(
                    asset=asset, version_id=asset.approved_version_id, rendition="web", channel=rng.choice(channels),
                    user=users[Role.VIEWER])
                DownloadEvent.objects.filter(pk=event.pk).update(
                    created_at=now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1439)))
        searches = [("harbour", 1, True), ("team", 1, True), ("shoe", 1, False), ("drone footage", 0, False),
                    ("christmas", 0, False), ("logo", 1, True)]
        for query, results, opened in searches:
            for _ in range(rng.randint(2, 9)):
                when = now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1439))
                SearchEvent.objects.create(query=query, result_count=results, created_at=when,
                                           opened_at=when + timedelta(seconds=20) if opened else None)

    def _review(self, assets: list[Asset], users: dict[Role, User]) -> None:
        """Take the new samples through the workflow as the demo people, so every queue has something in it.

        Uploaded by the editor (even index) or the contributor (odd); the
        approvers are whoever did not upload. Two stay for the demo users to
        act on: the logo waits for the editor, the beach banner is sent back.
        """
        editor, brand, admin = users[Role.EDITOR], users[Role.BRAND_MANAGER], users[Role.ADMIN]
        for asset in assets:
            uploader = asset.owner
            version_id = asset.current_version_id
            if version_id is None or uploader is None:
                continue
            workflow.version_submit(version_id=version_id, actor=uploader, comment="Ready for review.")
            first_step = admin if uploader == editor else editor
            if asset.title == "Logo on dark":
                continue  # waits in the editor's queue
            if asset.title == "Beach banner draft":
                workflow.version_request_changes(version_id=version_id, actor=first_step,
                                                 comment="Please use the new logo lock-up.")
                continue
            workflow.version_approve(version_id=version_id, actor=first_step, comment="Checked.")
            workflow.version_approve(version_id=version_id, actor=brand, comment="On brand.")
