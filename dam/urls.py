from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from analysis import urls as analysis_urls
from archive import api as archive_api
from assets import api as assets_api
from dam import dashboard
from dam import views as dam_views
from distribution import api as distribution_api
from distribution import api_presets as distribution_presets_api
from distribution import connection_views, delivery_views, download_views, oembed
from distribution import urls as distribution_urls
from ingest import api as ingest_api
from search import api as search_api


# One path, two apps each: searching the assets is search's, sending a file is ingest's; an asset's
# revision history is the assets app's, a new revision ingest's. Each class brings its own method.
class AssetListCreate(search_api.AssetSearch, ingest_api.AssetUpload):
    pass


class VersionListCreate(assets_api.VersionList, ingest_api.VersionUpload):
    pass


api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", accounts_api.TokenCreate.as_view(), name="token"),
    path("auth/tokens/", accounts_api.TokenList.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", accounts_api.TokenRevoke.as_view(), name="token-revoke"),
    path("assets/", AssetListCreate.as_view(), name="assets"),
    path("assets/<uuid:uid>/", assets_api.AssetDetail.as_view(), name="asset"),
    path("assets/<uuid:uid>/versions/", VersionListCreate.as_view(), name="asset-versions"),
    # ?rendition= is the assets app's; ?preset= (download presets) distribution's, which extends it.
    path("assets/<uuid:uid>/download/", distribution_presets_api.AssetDownload.as_view(), name="asset-download"),
    path("assets/<uuid:uid>/renditions/retry/", assets_api.RenditionsRetry.as_view(), name="asset-renditions-retry"),
    path("assets/<uuid:uid>/archive/", archive_api.AssetArchive.as_view(), name="asset-archive"),
    path("assets/<uuid:uid>/restore/", archive_api.AssetRestore.as_view(), name="asset-restore"),
    path("share-links/", distribution_api.ShareLinkListCreate.as_view(), name="share-links"),
    path("share-links/<int:pk>/", distribution_api.ShareLinkDetail.as_view(), name="share-link"),
    path("share-links/<int:pk>/analytics/", distribution_api.ShareLinkAnalytics.as_view(),
         name="share-link-analytics"),
    path("batches/", ingest_api.BatchListCreate.as_view(), name="batches"),
    path("batches/<int:pk>/", ingest_api.BatchDetail.as_view(), name="batch"),
    path("batches/<int:pk>/files/", ingest_api.BatchFiles.as_view(), name="batch-files"),
    path("batches/<int:pk>/items/", ingest_api.BatchItems.as_view(), name="batch-items"),
    path("collections/", assets_api.CollectionListCreate.as_view(), name="collections"),
    path("collections/<int:pk>/", assets_api.CollectionDetail.as_view(), name="collection"),
    path("collections/<int:pk>/grants/", assets_api.CollectionGrants.as_view(), name="collection-grants"),
    path("", include("taxonomy.api_urls")),
    path("", include("distribution.webhook_api_urls")),
    path("", include("distribution.lightbox_api_urls")),
    path("", include("distribution.delivery_api_urls")),
    path("", include("distribution.connection_api_urls")),
    path("", include("analysis.api_urls")),
    path("", include("workflows.api_urls")),
    path("", include("workflows.automation.api_urls")),
    path("", include("archive.tier.api_urls")),
    path("", include("archive.fixity.api_urls")),
    path("", include("archive.rights.api_urls")),
    path("", include("archive.bags.api_urls")),
    path("", include("archive.retention.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("analytics.audit_api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Browsers ask for /favicon.ico where a page names no icon (files, JSON answers).
    path("favicon.ico", dam_views.favicon),
    path("accounts/", include("accounts.urls")),
    # Under /assets/ as they always were; each app's screens come from its own URL module.
    path("assets/", include("search.urls")),
    path("assets/", include("ingest.urls")),
    path("assets/", include("taxonomy.schema_urls")),
    # Before assets' own: an original leaves with the asset's rights written in (distribution.embedding).
    path("assets/<uuid:uid>/download/", download_views.asset_download, name="asset_download_with_rights"),
    path("assets/", include("assets.urls")),
    path("assets/<uuid:uid>/presets/<slug:preset>/", download_views.preset_download, name="preset_download"),
    path("lightboxes/<int:pk>/zip/", download_views.lightbox_zip, name="lightbox_zip"),
    path("vocabulary/", include("taxonomy.urls")),
    path("reviews/", include("workflows.urls")),
    path("archive/fixity/", include("archive.fixity.urls")),
    path("archive/rights/", include("archive.rights.urls")),
    path("archive/", include("archive.urls")),
    path("analysis/", include("analysis.urls")),
    path("analytics/", include("analytics.urls")),
    path("audit/", include("analytics.audit_urls")),
    path("share-links/", include("distribution.urls")),
    path("settings/webhooks/", include("distribution.webhook_urls")),
    path("settings/automation/", include("workflows.automation.urls")),
    path("settings/analysis/", include((analysis_urls.settings_urlpatterns, "analysis_settings"))),
    path("settings/presets/", include("distribution.preset_urls")),
    path("settings/integrations/", include("distribution.integration_urls")),
    path("settings/connections/", include("distribution.connection_urls")),
    path("push/", connection_views.push_new, name="push"),
    path("usages/", connection_views.usage_report, name="usage-report"),
    path("lightboxes/", include("distribution.lightbox_urls")),
    path("s/", include(distribution_urls.public_urlpatterns)),
    path("picker/", include("distribution.picker_urls")),
    path("d/<uuid:uid>/<slug:preset>/", delivery_views.deliver, name="delivery"),
    path("d/<uuid:uid>/<slug:preset>/<str:filename>", delivery_views.deliver, name="delivery"),
    path("oembed", oembed.oembed, name="oembed"),
    path("api/v1/", include((api_v1, "api"))),
    path("django-admin/", admin.site.urls),
    path("", include("dav.urls")),
]

handler400 = "dam.views.bad_request"
handler404 = "dam.views.not_found"
handler403 = "dam.views.forbidden"
handler500 = "dam.views.server_error"
