"""JSON API of the review workflow. Views parse, call one service, render; the state machine decides."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.models import User
from assets import selectors as asset_selectors
from assets.api import VersionSerializer
from dam.api import Conflict, Pagination
from dam.http import AuthedRequest
from workflows import selectors, services
from workflows.models import Comment, Notification, Review, ReviewDecision
from workflows.services import LockHeld
from workflows.states import Action, TransitionNotAllowed

# URL spelling (kebab-case, as DESIGN.md lists them) -> state machine action.
URL_ACTIONS = {"submit": Action.SUBMIT, "approve": Action.APPROVE, "request-changes": Action.REQUEST_CHANGES,
               "reject": Action.REJECT, "withdraw": Action.WITHDRAW, "resubmit": Action.RESUBMIT}

class DecisionSerializer(serializers.ModelSerializer):
    reviewer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username",
                                                                                read_only=True)

    class Meta:
        model = ReviewDecision
        fields = ["id", "step", "reviewer", "kind", "comment", "sha256", "created_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    submitted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username",
                                                                                    read_only=True)
    asset = serializers.SerializerMethodField()
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    review_state = serializers.CharField(source="version.review_state", read_only=True)
    policy = serializers.CharField(source="policy.name", read_only=True)
    steps = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "version", "version_number", "asset", "review_state", "outcome", "policy", "step",
                  "step_opened_at", "steps", "submitted_by", "comment", "created_at", "closed_at", "decisions"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_asset(self, review: Review) -> dict[str, Any]:
        asset = review.version.asset
        return {"uid": str(asset.uid), "title": asset.title}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_steps(self, review: Review) -> list[dict[str, Any]]:
        return [{"position": s.position, "name": s.name, "group": s.group, "approvals_required": s.needed,
                 "approved_by": [d.reviewer.username for d in s.approvals if d.reviewer], "status": s.status}
                for s in selectors.policy_progress(review)]


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", required=False,
                                    help_text="The revision's sha256 you reviewed; a different file gives 409.")
    step = serializers.IntegerField(required=False, min_value=1,
                                    help_text="The review step you decided on; 409 when the review has moved on.")


class TransitionResultSerializer(serializers.Serializer):
    version = VersionSerializer()
    review = ReviewSerializer(allow_null=True)


class VersionTransition(APIView):
    """POST /versions/{id}/{submit,approve,request-changes,reject,withdraw,resubmit}/ with {"comment": ...}."""

    @extend_schema(request=TransitionSerializer, responses={200: TransitionResultSerializer})
    def post(self, request: AuthedRequest, pk: int, action: str) -> Response:
        transition = URL_ACTIONS[action]
        selectors.access_version(request.user, pk)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.version_transition(transition, version_id=pk, actor=request.user,
                                        comment=payload.validated_data["comment"],
                                        sha256=payload.validated_data.get("sha256"),
                                        step=payload.validated_data.get("step"))
        except TransitionNotAllowed as exc:
            raise Conflict({"detail": str(exc), "review_state": exc.state}) from exc
        version = selectors.access_version(request.user, pk)
        review = selectors.latest_review_of(version)
        return Response({"version": VersionSerializer(version, context={"request": request}).data,
                         "review": ReviewSerializer(review).data if review else None})


class ReviewList(APIView):
    @extend_schema(responses=ReviewSerializer(many=True), parameters=[
        OpenApiParameter("mine", bool, description="Only reviews waiting for my decision."),
        OpenApiParameter("outcome", str, enum=list(Review.Outcome.values))])
    def get(self, request: AuthedRequest) -> Response:
        mine = request.query_params.get("mine", "") in ("1", "true", "yes")
        outcome = request.query_params.get("outcome") or None
        if outcome and outcome not in Review.Outcome.values:
            raise serializers.ValidationError({"outcome": [f"Choose one of: {', '.join(Review.Outcome.values)}."]})
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.reviews_for_api(request.user, mine=mine, outcome=outcome),
                                           request, view=self)
        return paginator.get_paginated_response(ReviewSerializer(page, many=True).data)


class ReviewDetail(APIView):
    @extend_schema(responses=ReviewSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        review = authority.access(request.user, Review.objects.select_related("version__asset", "policy",
                                                                              "submitted_by"), pk=pk)
        return Response(ReviewSerializer(review).data)


class CommentSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    resolved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username",
                                                                                   read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "version", "parent", "author", "body", "region", "resolved_at", "resolved_by",
                  "created_at"]
        read_only_fields = ["id", "version", "author", "resolved_at", "resolved_by", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
    # "parent" shadows Serializer.parent for the type checker only; DRF moves it into fields.
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    region = serializers.DictField(child=serializers.FloatField(), required=False, allow_null=True)


class VersionComments(APIView):
    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        version = selectors.access_version(request.user, pk)
        comments = Comment.objects.filter(version=version).select_related("author", "resolved_by")
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        version = selectors.access_version(request.user, pk, "comment")
        payload = CommentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        parent = None
        if data.get("parent"):
            parent = authority.access(request.user, Comment.objects.all(), pk=data["parent"])
        comment = services.comment_add(version=version, actor=request.user, body=data["body"], parent=parent,
                                       region=data.get("region"))
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ResolveSerializer(serializers.Serializer):
    resolved = serializers.BooleanField(default=True)


class CommentResolve(APIView):
    @extend_schema(request=ResolveSerializer, responses=CommentSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        comment = authority.access(request.user, Comment.objects.select_related("version__asset"), "resolve", pk=pk)
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.comment_resolve(comment=comment, actor=request.user,
                                           resolved=payload.validated_data["resolved"])
        return Response(CommentSerializer(comment).data)


class LockSerializer(serializers.Serializer):
    holder = serializers.CharField(source="holder.username")
    note = serializers.CharField()
    client = serializers.CharField(help_text="The desktop app holding it, when checked out through the WebDAV drive.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class AssetLockView(APIView):
    """POST checks the asset out (or extends one's own check-out); DELETE checks it in (admins: breaks it)."""

    @extend_schema(responses={200: LockSerializer, 204: None})
    def get(self, request: AuthedRequest, uid: str) -> Response:
        lock = selectors.lock_of(asset_selectors.access_asset(request.user, uid))
        return Response(LockSerializer(lock).data) if lock else Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={201: LockSerializer})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = asset_selectors.access_asset(request.user, uid, "add_version")
        try:
            lock = services.asset_check_out(asset=asset, actor=request.user, note=str(request.data.get("note", "")))
        except LockHeld as exc:
            raise Conflict(str(exc)) from exc
        return Response(LockSerializer(lock).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, uid: str) -> Response:
        asset = asset_selectors.access_asset(request.user, uid)
        lock = selectors.lock_of(asset)
        try:
            if lock is not None and lock.holder_id != request.user.pk and authority.is_admin(request.user):
                services.lock_break(asset=asset, actor=request.user)
            else:
                services.asset_check_in(asset=asset, actor=request.user)
        except LockHeld as exc:
            raise Conflict(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "verb", "message", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class NotificationList(APIView):
    @extend_schema(responses=NotificationSerializer(many=True), parameters=[OpenApiParameter("unread", bool)])
    def get(self, request: AuthedRequest) -> Response:
        queryset = selectors.notifications_for(request.user)
        if request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationsRead(APIView):
    @extend_schema(request=MarkReadSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: AuthedRequest) -> Response:
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        count = services.notifications_mark_read(actor=request.user, ids=payload.validated_data.get("ids"))
        return Response({"marked_read": count})
