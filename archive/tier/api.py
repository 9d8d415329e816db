"""Where an asset's originals are, and retrying a failed move, over the API."""
from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.tier import selectors, services
from assets.selectors import access_asset
from dam.http import AuthedRequest


class TierSerializer(serializers.Serializer):
    configured = serializers.BooleanField(help_text="Whether an archive tier is set up.")
    tier = serializers.ChoiceField(choices=["primary", "archive", "split"],
                                   help_text="Where the originals are; split while a move is half done.")
    since = serializers.DateTimeField(allow_null=True, help_text="When they arrived in the archive tier.")
    state = serializers.ChoiceField(choices=["queued", "moving", "done", "failed"], allow_null=True,
                                    help_text="The last move's state (null: never moved).")
    target = serializers.CharField(allow_null=True, help_text="Where the last move takes the originals.")
    reason = serializers.CharField(help_text="Why the last move failed.")
    message = serializers.CharField(help_text="The same in a sentence, as the asset page shows it.")


def _answer(asset: object) -> Response:
    return Response(TierSerializer(asdict(selectors.tier_status(asset))).data)  # type: ignore[arg-type]


class AssetTier(APIView):
    @extend_schema(responses=TierSerializer)
    def get(self, request: AuthedRequest, uid: str) -> Response:
        return _answer(access_asset(request.user, uid))


class AssetTierRetry(APIView):
    @extend_schema(request=None, responses={202: TierSerializer})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid, "archive")
        services.tier_move_retry(asset=asset, actor=request.user)
        response = _answer(asset)
        response.status_code = 202
        return response
