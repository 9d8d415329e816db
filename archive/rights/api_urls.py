from django.urls import path

from archive.rights import api

urlpatterns = [
    path("rights/expiring/", api.Expiring.as_view(), name="rights-expiring"),
    path("rights/licence-types/", api.LicenceTypes.as_view(), name="rights-licence-types"),
    path("rights/collections/<int:pk>/", api.CollectionExpiry.as_view(), name="rights-collection"),
    path("rights/releases/<int:pk>/", api.ReleaseDetail.as_view(), name="rights-release-download"),
    path("assets/<uuid:uid>/rights/renew/", api.Renew.as_view(), name="rights-renew"),
    path("assets/<uuid:uid>/rights/releases/", api.Releases.as_view(), name="rights-releases"),
]
