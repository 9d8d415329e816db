"""Review and approval endpoints under /api/v1/."""
from django.urls import path, re_path

from workflows import api

urlpatterns = [
    re_path(r"^versions/(?P<pk>\d+)/(?P<action>submit|approve|request-changes|reject|withdraw|resubmit)/$",
            api.VersionTransition.as_view(), name="version-transition"),
    path("versions/<int:pk>/comments/", api.VersionComments.as_view(), name="version-comments"),
    path("comments/<int:pk>/resolve/", api.CommentResolve.as_view(), name="comment-resolve"),
    path("reviews/", api.ReviewList.as_view(), name="reviews"),
    path("reviews/<int:pk>/", api.ReviewDetail.as_view(), name="review"),
    path("assets/<uuid:uid>/lock/", api.AssetLockView.as_view(), name="asset-lock"),
    path("notifications/", api.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationsRead.as_view(), name="notifications-read"),
]
