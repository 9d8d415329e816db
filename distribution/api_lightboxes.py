"""Lightboxes over the API: /api/v1/lightboxes/ and their members.

Every answer shows the lightbox as the caller sees it: a member they may not see is listed by uid,
place and note with `available: false`, never with its title.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dam.api import Pagination
from dam.http import AuthedRequest
from distribution import lightbox_services as services
from distribution import lightboxes as selectors
from distribution.lightboxes import Member
from distribution.models import Lightbox


class SharedWithSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list,
                                  help_text="Usernames.")
    groups = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list,
                                   help_text="Group names (roles and teams).")
    can_edit = serializers.BooleanField(
        required=False, default=False,
        help_text="They may add, remove, reorder and annotate members (never rename, delete or share). When read: "
                  "true when every share may edit (`shares` tells each one).")


class ShareSerializer(serializers.Serializer):
    user = serializers.CharField(allow_null=True, help_text="Username, or null for a group.")
    group = serializers.CharField(allow_null=True, help_text="Group name, or null for a person.")
    can_edit = serializers.BooleanField()


class MemberSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    position = serializers.IntegerField(help_text="The member's place, 0 for the first.")
    note = serializers.CharField(allow_blank=True)
    available = serializers.BooleanField(help_text="False when you may not see this asset (a draft, archived, "
                                                   "embargoed, out of rights, or in a folder you do not reach).")
    title = serializers.CharField(required=False, help_text="Only when available.")

    def to_representation(self, member: Member) -> dict[str, Any]:
        data: dict[str, Any] = {"uid": str(member.uid), "position": member.position, "note": member.note,
                                "available": member.available}
        if member.asset is not None:
            data["title"] = member.asset.title
        return data


class LightboxSerializer(serializers.ModelSerializer):
    """A lightbox as the caller sees it. Needs `members` (lightbox id -> [Member]) in its context."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    assets = serializers.SerializerMethodField(help_text="Every member's uid, in order.")
    shared_with = serializers.SerializerMethodField()
    shares = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = Lightbox
        fields = ["id", "name", "description", "owner", "assets", "shared_with", "shares", "items", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def _members(self, lightbox: Lightbox) -> list[Member]:
        return self.context["members"].get(lightbox.pk, [])

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_assets(self, lightbox: Lightbox) -> list[str]:
        return [str(member.uid) for member in self._members(lightbox)]

    @extend_schema_field(SharedWithSerializer)
    def get_shared_with(self, lightbox: Lightbox) -> dict[str, Any]:
        shares = list(lightbox.shares.all())
        return {"users": sorted(s.user.username for s in shares if s.user), "groups": sorted(
            s.group.name for s in shares if s.group), "can_edit": bool(shares) and all(s.can_edit for s in shares)}

    @extend_schema_field(ShareSerializer(many=True))
    def get_shares(self, lightbox: Lightbox) -> list[dict[str, Any]]:
        return [{"user": s.user.username if s.user else None, "group": s.group.name if s.group else None,
                 "can_edit": s.can_edit} for s in lightbox.shares.all()]

    @extend_schema_field(MemberSerializer(many=True))
    def get_items(self, lightbox: Lightbox) -> list[dict[str, Any]]:
        return list(MemberSerializer(self._members(lightbox), many=True).data)


class LightboxWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=services.NAME_MAX)
    description = serializers.CharField(required=False, allow_blank=True)
    assets = serializers.ListField(child=serializers.UUIDField(), required=False,
                                   help_text="Asset uids in order; on PATCH they replace the members and their order "
                                             "(members you may not see keep their places).")
    shared_with = SharedWithSerializer(required=False, help_text="Replaces every share (owner and admins only).")


class MembersSerializer(serializers.Serializer):
    assets = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX, default="",
                                 help_text="For the assets added (members already there keep theirs).")


class MemberUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX)
    position = serializers.IntegerField(required=False, min_value=0,
                                        help_text="0 for the first; past the end moves it last.")


def _answer(request: AuthedRequest, lightbox: Lightbox, code: int = status.HTTP_200_OK) -> Response:
    lightbox = selectors.access_lightbox(request.user, lightbox.pk)
    prefetch_related_objects([lightbox], "shares__user", "shares__group")
    members = {lightbox.pk: selectors.members_of(request.user, lightbox, cards=False)}
    return Response(LightboxSerializer(lightbox, context={"members": members}).data, status=code)


def _sharing(data: dict[str, Any] | None) -> services.Sharing | None:
    return None if data is None else services.Sharing(users=data.get("users", []), groups=data.get("groups", []),
                                                      can_edit=data.get("can_edit", False))


class LightboxListCreate(APIView):
    @extend_schema(responses=LightboxSerializer(many=True), summary="Your lightboxes and those shared with you")
    def get(self, request: AuthedRequest) -> Response:
        paginator = Pagination()
        lightboxes = selectors.lightboxes_visible_to(request.user).prefetch_related("shares__user", "shares__group")
        page = paginator.paginate_queryset(lightboxes, request, view=self)
        members = selectors.members_by_lightbox(request.user, page or [])
        return paginator.get_paginated_response(LightboxSerializer(page, many=True, context={"members": members}).data)

    @extend_schema(request=LightboxWriteSerializer, responses={201: LightboxSerializer}, summary="Make a lightbox")
    def post(self, request: AuthedRequest) -> Response:
        payload = LightboxWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        lightbox = services.lightbox_create(actor=request.user, name=data["name"],
                                            description=data.get("description", ""), assets=data.get("assets", []),
                                            sharing=_sharing(data.get("shared_with")))
        return _answer(request, lightbox, status.HTTP_201_CREATED)


class LightboxDetail(APIView):
    @extend_schema(responses=LightboxSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return _answer(request, selectors.access_lightbox(request.user, pk))

    @extend_schema(request=LightboxWriteSerializer, responses=LightboxSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        lightbox = selectors.access_lightbox(request.user, pk)
        payload = LightboxWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.lightbox_update(lightbox=lightbox, actor=request.user, name=data.get("name"),
                                 description=data.get("description"), assets=data.get("assets"),
                                 sharing=_sharing(data.get("shared_with")))
        return _answer(request, lightbox)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        services.lightbox_delete(lightbox=selectors.access_lightbox(request.user, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LightboxAssets(APIView):
    @extend_schema(request=MembersSerializer, responses=LightboxSerializer,
                   summary="Add assets at the end (those already in it stay where they are)")
    def post(self, request: AuthedRequest, pk: int) -> Response:
        lightbox = selectors.access_lightbox(request.user, pk)
        payload = MembersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.lightbox_add_assets(lightbox=lightbox, actor=request.user, assets=payload.validated_data["assets"],
                                     note=payload.validated_data["note"])
        return _answer(request, lightbox)

    @extend_schema(request=MembersSerializer, responses=LightboxSerializer, summary="Take assets out")
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        lightbox = selectors.access_lightbox(request.user, pk)
        payload = MembersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.lightbox_remove_assets(lightbox=lightbox, actor=request.user, assets=payload.validated_data["assets"])
        return _answer(request, lightbox)


class LightboxMember(APIView):
    @extend_schema(request=MemberUpdateSerializer, responses=LightboxSerializer,
                   summary="Change one member's note or place")
    def patch(self, request: AuthedRequest, pk: int, uid: UUID) -> Response:
        lightbox = selectors.access_lightbox(request.user, pk)
        item = selectors.member_item(lightbox, uid=uid)
        payload = MemberUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.lightbox_item_update(item=item, actor=request.user, note=payload.validated_data.get("note"),
                                      position=payload.validated_data.get("position"))
        return _answer(request, lightbox)
