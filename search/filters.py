"""One FilterSet for the asset list, shared by the UI (/assets/) and the API (GET /api/v1/assets/).

The queryset it receives is already permission-filtered (selectors.assets_visible_to),
so every filter, the ranking and the facet counts (search.facets) work on
visible assets only, in SQL. Each facet value is defined once here, as the Q the
filter applies, and the facet counts use the same Q: a count always equals the
number of results after clicking it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.http import QueryDict
from django.utils import timezone

from accounts import permissions as authority
from accounts.permissions import Cap
from assets import colors
from assets.models import Asset, AssetTerm, Collection, ReviewState
from assets.permissions import visibility_q
from search import expansion, query
from search.models import AssetColor, SearchDocument
from taxonomy.models import AssetType, Term

RIGHTS = (("valid", "Valid"), ("expiring", "Expiring within 30 days"), ("expired", "Expired"),
          ("embargoed", "Embargoed or not started"))
ORIENTATIONS = (("landscape", "Landscape"), ("portrait", "Portrait"), ("square", "Square"))
UPLOADED = (("7d", "Last 7 days"), ("30d", "Last 30 days"), ("365d", "Last 12 months"), ("older", "Older"))
ORDERINGS = (("relevance", "Relevance"), ("-created", "Newest first"), ("created", "Oldest first"),
             ("-downloads", "Most downloaded"), ("title", "Title A-Z"), ("-title", "Title Z-A"),
             ("-size", "Largest first"), ("size", "Smallest first"), ("color", "Closest colour"))
ORDER_BY = {"-downloads": ("-download_count", "-id"),
            "-created": ("-created_at", "-id"), "created": ("created_at", "id"), "title": ("title", "id"),
            "-title": ("-title", "-id")}
COLOR_FAMILIES = tuple((f, f.capitalize()) for f in colors.FAMILIES)
# CIE76 distance under which a colour counts as "close": clearly the same hue and lightness family. A colour
# is also close to every colour of its own named family (assets.colors.family_of), so that a family's swatch
# finds what the family facet counts, however far its dark or greyish members are from the swatch itself.
COLOR_CLOSE = 25.0
EXPIRING_DAYS = 30


def color_distance(lab: tuple[float, float, float]) -> ExpressionWrapper:
    """Squared CIELAB distance of an AssetColor row to `lab` (squared: same order, no sqrt in SQLite)."""
    lightness, a, b = lab
    dl: Combinable = F("lightness") - Value(lightness)
    da: Combinable = F("a") - Value(a)
    db: Combinable = F("b") - Value(b)
    return ExpressionWrapper(dl * dl + da * da + db * db, output_field=FloatField())


def day_start(day: date) -> datetime | None:
    """Midnight at the start of a day in the current time zone; None for the first and last days a date can
    hold, whose midnight may not convert to UTC."""
    if not date.min + timedelta(days=1) < day < date.max - timedelta(days=1):
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


# "Uploaded from / until" compare the upload time with the start of a day rather than its date
# (created_at::date), which no index holds: as a range it is read inside the folder index of the index
# rows, and the created_at index of the assets. Either way, a day is a day in the current time zone.
def uploaded_from_q(day: date) -> Q:
    start = day_start(day)
    return Q(created_at__date__gte=day) if start is None else Q(created_at__gte=start)


def uploaded_until_q(day: date) -> Q:
    end = day_start(day + timedelta(days=1)) if day < date.max else None
    return Q(created_at__date__lte=day) if end is None else Q(created_at__lt=end)


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    type = django_filters.ChoiceFilter(method="by_type", choices=AssetType.choices, label="Type",
                                       empty_label="Any type")
    collection = django_filters.ModelChoiceFilter(queryset=Collection.objects.none(), method="in_collection",
                                                  label="Collection", empty_label="Anywhere")
    status = django_filters.ChoiceFilter(method="by_status", choices=ReviewState.choices, label="Review state",
                                         empty_label="Any state")
    term = django_filters.ModelMultipleChoiceFilter(queryset=Term.objects.all(), method="tagged", label="Terms",
                                                    widget=forms.MultipleHiddenInput)
    rights = django_filters.ChoiceFilter(choices=RIGHTS, method="by_rights", label="Rights", empty_label="Any")
    orientation = django_filters.ChoiceFilter(choices=ORIENTATIONS, method="by_orientation", label="Orientation",
                                              empty_label="Any")
    uploaded = django_filters.ChoiceFilter(choices=UPLOADED, method="by_uploaded", label="Uploaded",
                                           empty_label="Any time")
    uploaded_after = django_filters.DateFilter(method="by_uploaded_date", label="Uploaded from",
                                               widget=forms.DateInput(attrs={"type": "date"}))
    uploaded_before = django_filters.DateFilter(method="by_uploaded_date", label="Uploaded until",
                                                widget=forms.DateInput(attrs={"type": "date"}))
    captured_after = django_filters.DateFilter(method="by_captured", label="Captured from",
                                               widget=forms.DateInput(attrs={"type": "date"}))
    captured_before = django_filters.DateFilter(method="by_captured", label="Captured until",
                                                widget=forms.DateInput(attrs={"type": "date"}))
    make = django_filters.CharFilter(method="by_exif", label="Camera make")
    camera_model = django_filters.CharFilter(method="by_exif", label="Camera model")
    file_type = django_filters.CharFilter(method="by_file_type", label="File type (MIME)")
    color = django_filters.CharFilter(method="by_color", label="Close to colour (hex)")
    color_family = django_filters.ChoiceFilter(choices=COLOR_FAMILIES, method="by_color_family",
                                               label="Colour family", empty_label="Any")
    ordering = django_filters.ChoiceFilter(choices=ORDERINGS, method="unordered", label="Sort by",
                                           empty_label="Best first")

    class Meta:
        model = Asset
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, collections: QuerySet[Collection] | None = None,
                 index_scope: Q | None = None, **kwargs: Any):
        """`index_scope`: given when the queryset is exactly the user's visible assets narrowed by this
        condition, on columns the search index row copies (selectors.LIVE for the live list). A viewer's
        search may then be answered by index rows alone (matched_index_rows)."""
        # Always bound: the bare list page (no query string) is a search too, with facets and the default order.
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)
        self.index_scope = index_scope
        if collections is not None:
            self.filters["collection"].queryset = collections  # type: ignore[attr-defined]
        user = getattr(self.request, "user", None)
        self.user = user
        self.may_see_unapproved = bool(user is not None and authority.can(user, Cap.SEE_UNAPPROVED))
        # Technical facts (size, orientation, camera, file type) come from the version the user is shown:
        # viewers must not find an approved asset by the properties of a draft revision.
        self.version = "current_version" if self.may_see_unapproved or user is None else "approved_version"
        # Someone who sees approved work only still sees their own assets as they are now (their drafts,
        # assets.selectors.version_shown_to): for them, a fact is their own asset's current version's and
        # everyone else's approved version's, so `?status=draft` finds the drafts on their screen.
        self.own_work_of: int | None = None
        if self.version == "approved_version" and user is not None and user.is_authenticated \
                and Asset.objects.filter(owner_id=user.pk).exists():
            self.own_work_of = user.pk
        # One clock per search, so a facet's count and its filter agree to the second.
        self.now = timezone.now()
        self.parsed = query.ParsedQuery(text="")
        self.close_to: tuple[float, float, float] | None = None
        self.matched: QuerySet[Asset] | None = None
        # PostgreSQL answers the text, term and colour-family conditions from one search index row
        # (see index_rows); SQLite's full-text index is a separate FTS5 table, so there they stay
        # conditions on the assets.
        self.on_index_rows = connection.vendor == "postgresql"
        self.index_conditions: list[Any] = []
        self.rows_matched: QuerySet[SearchDocument] | None = None  # index_rows(), once the filters have run
        # The index row also copies what a viewer's filters ask (the asset's type, upload time and rights,
        # its approved version's facts), so on PostgreSQL a viewer's filters are gathered as pairs (on the
        # asset, on its index row) and applied to the index rows whenever the search runs there anyway
        # (filter_queryset); `asset_only` records a filter that only the assets can answer.
        # For someone with work of their own, the conditions on their own rows read their own assets (few),
        # whose current versions' facts the index row does not copy (own_rows_q).
        self.facts_on_index_rows = self.on_index_rows and self.version == "approved_version"
        self.fact_conditions: list[tuple[Q, Q]] = []
        self.asset_only = False
        self.matched_count: int | None = None  # set by search.facets.compute, which counts the matches

    # --- the Q behind each facet value (filters and facets.py both use these) ---

    @property
    def shows_review_states(self) -> bool:
        """Whether this user sees unapproved work at all (anyone's, or their own): the review-state facet."""
        return self.may_see_unapproved or self.own_work_of is not None

    def shown_q(self, condition: Any) -> Q:
        """`condition(version)` (a Q on the lookups under `version`) for the version this user is shown."""
        if self.own_work_of is None:
            return condition(self.version)
        own = Q(owner_id=self.own_work_of)
        return (own & condition("current_version")) | (~own & condition("approved_version"))

    def fact(self, column: str) -> F | Case:
        """A fact of the version this user is shown, as an expression (facet counts, ordering)."""
        if self.own_work_of is None:
            return F(f"{self.version}__{column}")
        return Case(When(owner_id=self.own_work_of, then=F(f"current_version__{column}")),
                    default=F(f"approved_version__{column}"))

    def own_rows_q(self, on_asset: Q, on_index_row: Q | None) -> Q:
        """For someone with work of their own, an index-row condition: `on_index_row` on others' rows (None:
        never true there), `on_asset` (through the shown version) on their own assets."""
        own = Q(owner_id=self.own_work_of)
        mine = own & Q(asset_id__in=Asset.objects.filter(owner_id=self.own_work_of).filter(on_asset).values("pk"))
        return mine if on_index_row is None else (~own & on_index_row) | mine

    def row_fact(self, column: str, others: Any = None) -> Any:
        """A fact of the shown version on an index row: the approved copy (or `others`), or for the user's own
        asset its current version's, read from the asset."""
        others = F(f"approved_{column}") if others is None else others
        if self.own_work_of is None:
            return others
        current = Asset.objects.filter(pk=OuterRef("asset_id")).values(f"current_version__{column}")[:1]
        return Case(When(owner_id=self.own_work_of, then=Subquery(current)), default=others)

    def by_status(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        # The state of the version this user is shown: a viewer's ?status=in_review must not reveal
        # that an approved asset has a revision waiting; a contributor's ?status=draft finds their drafts.
        on_asset = self.shown_q(lambda version: Q(**{f"{version}__review_state": value}))
        if self.own_work_of is None or not self.facts_on_index_rows:
            return self.narrow(queryset, on_asset)
        # Others' rows show their approved version, whose state is approved (workflows sets it with the state).
        return self.narrow(queryset, on_asset, Q() if value == ReviewState.APPROVED else None, own_rows=True)

    def rights_q(self, value: str) -> Q:
        now, soon = self.now, self.now + timedelta(days=EXPIRING_DAYS)
        return {
            # Held back: under embargo, or before the rights start (assets.permissions.approved_and_usable).
            "embargoed": Q(embargo_until__gt=now) | Q(rights_start__gt=now),
            "expired": Q(rights_expire_at__lte=now),
            "expiring": Q(rights_expire_at__gt=now, rights_expire_at__lte=soon),
            "valid": (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
            & (Q(rights_start__isnull=True) | Q(rights_start__lte=now))
            & (Q(rights_expire_at__isnull=True) | Q(rights_expire_at__gt=soon)),
        }[value]

    def orientation_q(self, value: str, on_index_row: bool = False) -> Q:
        def shape(width: str, height: str) -> Q:
            return {
                "landscape": Q(**{f"{width}__gt": F(height)}),
                "portrait": Q(**{f"{height}__gt": F(width)}),
                "square": Q(**{width: F(height), f"{width}__isnull": False}),
            }[value]
        if on_index_row:
            others = shape(self.version_fact("width", True), self.version_fact("height", True))
            if self.own_work_of is None:
                return others
            return self.own_rows_q(self.shown_q(lambda version: shape(f"{version}__width", f"{version}__height")),
                                   others)
        return self.shown_q(lambda version: shape(f"{version}__width", f"{version}__height"))

    def uploaded_q(self, value: str) -> Q:
        days = {"7d": 7, "30d": 30, "365d": 365}
        if value == "older":
            return Q(created_at__lt=self.now - timedelta(days=365))
        return Q(created_at__gte=self.now - timedelta(days=days[value]))

    def version_fact(self, column: str, on_index_row: bool = False) -> str:
        """The lookup of a fact of the version this user is shown, on the asset or on its index row."""
        return f"approved_{column}" if on_index_row else f"{self.version}__{column}"

    def family_q(self, family: str) -> Q:
        return Q(Exists(AssetColor.objects.filter(asset=OuterRef("pk"), family=family, share__gte=colors.MIN_SHARE)))

    # --- filter methods ---

    def narrow(self, queryset: QuerySet[Asset], on_asset: Q, on_index_row: Q | None = None,
               own_rows: bool = False) -> QuerySet[Asset]:
        """Apply one filter: gathered for the index rows when this user's filters can be answered there
        (see filter_queryset), else on the assets at once. `own_rows`: the filter reads a version fact, which
        on the user's own rows is read from their assets (own_rows_q)."""
        if own_rows and self.own_work_of is not None and self.facts_on_index_rows:
            on_index_row = self.own_rows_q(on_asset, on_index_row)
        if on_index_row is not None and self.facts_on_index_rows:
            self.fact_conditions.append((on_asset, on_index_row))
            return queryset
        self.asset_only = True
        return queryset.filter(on_asset)

    def by_type(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self.narrow(queryset, Q(asset_type=value), Q(asset_type=value))

    def search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        self.parsed = query.parse(value)
        if not self.parsed:
            return queryset
        if self.on_index_rows:
            self.index_conditions.extend(query.index_conditions(self.parsed))
            return queryset
        return query.apply(queryset, self.parsed)

    def in_collection(self, queryset: QuerySet[Asset], name: str, value: Collection) -> QuerySet[Asset]:
        subtree = Collection.objects.filter(path__startswith=value.path).values("pk")
        return self.narrow(queryset, Q(collection__path__startswith=value.path), Q(collection_id__in=subtree))

    def tagged(self, queryset: QuerySet[Asset], name: str, value: Any) -> QuerySet[Asset]:
        """Each chosen term narrows (AND); a term also stands for its narrower terms."""
        vocabulary = expansion.current()
        for term in value:
            ids = sorted(vocabulary.narrower_closure(term.pk))
            if self.on_index_rows:
                self.index_conditions.append(Q(terms__has_any_keys=[str(i) for i in ids]))
            else:
                queryset = queryset.filter(Exists(AssetTerm.objects.filter(asset=OuterRef("pk"), term_id__in=ids)))
        return queryset

    def by_rights(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self.narrow(queryset, self.rights_q(value), self.rights_q(value))  # the same column names

    def by_orientation(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self.narrow(queryset, self.orientation_q(value), self.orientation_q(value, on_index_row=True))

    def by_uploaded(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self.narrow(queryset, self.uploaded_q(value), self.uploaded_q(value))

    def by_uploaded_date(self, queryset: QuerySet[Asset], name: str, value: date) -> QuerySet[Asset]:
        on_date = uploaded_from_q(value) if name == "uploaded_after" else uploaded_until_q(value)
        return self.narrow(queryset, on_date, on_date)

    def _by_version_fact(self, queryset: QuerySet[Asset], column: str, lookup: str, value: Any) -> QuerySet[Asset]:
        on_asset = self.shown_q(lambda version: Q(**{f"{version}__{column}{lookup}": value}))
        return self.narrow(queryset, on_asset, Q(**{f"{self.version_fact(column, True)}{lookup}": value}),
                           own_rows=True)

    def by_captured(self, queryset: QuerySet[Asset], name: str, value: date) -> QuerySet[Asset]:
        return self._by_version_fact(queryset, "captured_on", "__gte" if name == "captured_after" else "__lte", value)

    def by_exif(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self._by_version_fact(queryset, "camera_make" if name == "make" else "camera_model", "", value.strip())

    def by_file_type(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return self._by_version_fact(queryset, "mime_type", "", value.strip().lower())

    def by_color(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        rgb = colors.parse_hex(value)
        if rgb is None:
            return queryset.none()
        self.close_to = colors.rgb_to_lab(rgb)
        close_to, family = self.close_to, colors.family_of(rgb)

        def close(asset_ref: str) -> Q:
            return Q(Exists(AssetColor.objects.filter(asset=OuterRef(asset_ref), share__gte=colors.MIN_SHARE).alias(
                distance=color_distance(close_to)).filter(Q(distance__lte=COLOR_CLOSE ** 2) | Q(family=family))))
        return self.narrow(queryset, close("pk"), close("asset_id"))

    def by_color_family(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        if self.on_index_rows:
            self.index_conditions.append(Q(color_families__has_key=value))
            return queryset
        return queryset.filter(self.family_q(value))

    def unordered(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return queryset  # ordering is applied last, in filter_queryset, after the matching set is known

    def filter_queryset(self, queryset: QuerySet[Asset]) -> QuerySet[Asset]:
        matched = super().filter_queryset(queryset)
        if self.index_conditions:  # the search runs on index rows: so do the filters gathered for them
            self.index_conditions.extend(on_row for _, on_row in self.fact_conditions)
            self.rows_matched = self.index_rows()
            matched = matched.filter(pk__in=self.rows_matched.values("asset_id"))
        else:
            matched = matched.filter(*(on_asset for on_asset, _ in self.fact_conditions))
        self.matched = matched
        return self.order(matched)

    def matched_index_rows(self) -> QuerySet[SearchDocument] | None:
        """The index rows of the results, when they alone answer this search; else None.

        They do for a signed-in viewer's search on PostgreSQL whose text, term or colour
        conditions put it on index rows anyway, when every other filter could be answered
        there too (the row copies the asset's type, upload time, folder and rights, and its
        approved version's facts) and the queryset's own narrowing is known (`index_scope`).
        Then results are ranked and counted without reading each match's asset and version
        (measured at 1,000,000 assets: 15,700 asset and as many version lookups for one broad
        word). Whatever reads whole rows still reads them through the queryset, so the
        visibility rule on the assets themselves still decides what is shown.
        """
        self.qs  # noqa: B018 -- runs the filters, which gather the conditions
        user = self.user
        if (self.index_scope is None or not self.index_conditions or not self.facts_on_index_rows or self.asset_only
                or user is None or not user.is_authenticated):
            return None
        assert self.rows_matched is not None  # built by filter_queryset whenever there are index conditions
        return self.rows_matched.filter(self.index_scope)

    def result_ids(self) -> QuerySet[Any]:
        """The ids of the results in order: what a page reads before it fetches its rows by id
        (dam.pagination.CountedPaginator). Ranked on the index rows when they answer the search."""
        rows = self.matched_index_rows()
        if rows is None or not self.parsed or (self.form.cleaned_data.get("ordering") or "relevance") != "relevance":
            return self.qs.values_list("pk", flat=True)
        ranked = query.rank_index_rows(rows, self.parsed)
        return ranked.order_by("-search_rank", "-created_at", "-asset_id").values_list("asset_id", flat=True)

    def index_rows(self) -> QuerySet[SearchDocument]:
        """PostgreSQL: the search index rows meeting every condition gathered from the filters, and the
        searcher's visibility once more, as one scan of one table.

        The text, the term keys, the colour families and the copies of the access
        facts all sit on SearchDocument, so PostgreSQL ANDs and ORs their GIN and
        B-tree indexes into one bitmap before it reads a row (measured at 200,000
        assets: a broad term went from 15,000 asset rows read and tested one by one
        to the 1,900 that pass; a term or colour facet stopped hashing every asset
        that has it). The queryset is already filtered by the same visibility rule
        on the assets themselves, which stays the one that decides.
        """
        user = self.user
        visible = visibility_q(user, asset_ref="asset_id") if user is not None and user.is_authenticated else None
        rows = SearchDocument.objects.all() if visible is None else SearchDocument.objects.filter(visible)
        return rows.filter(*self.index_conditions)

    def order(self, queryset: QuerySet[Asset]) -> QuerySet[Asset]:
        ordering = self.form.cleaned_data.get("ordering") or ""
        if ordering in ORDER_BY:
            return queryset.order_by(*ORDER_BY[ordering])
        if ordering in ("size", "-size"):
            field = self.fact("size")
            return queryset.order_by(field.desc(nulls_last=True) if ordering == "-size"
                                     else field.asc(nulls_last=True), "-id")
        if self.close_to is not None and (ordering == "color" or (not ordering and not self.parsed)):
            nearest = AssetColor.objects.filter(asset=OuterRef("pk"), share__gte=colors.MIN_SHARE).annotate(
                distance=color_distance(self.close_to)).order_by("distance").values("distance")[:1]
            return queryset.annotate(color_distance=Subquery(nearest)).order_by("color_distance", "-created_at",
                                                                                "-id")
        if self.parsed and ordering in ("", "relevance"):
            return query.rank(queryset, self.parsed).order_by("-search_rank", "-created_at", "-id")
        return queryset.order_by("-created_at", "-id")
