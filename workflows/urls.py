from django.urls import path, re_path

from workflows import bulk_views, views

app_name = "workflows"
urlpatterns = [
    path("", views.ReviewQueueView.as_view(queue="mine"), name="mine"),
    path("submissions/", views.ReviewQueueView.as_view(queue="submissions"), name="submissions"),
    path("changes-requested/", views.ReviewQueueView.as_view(queue="changes"), name="changes"),
    path("submit/", bulk_views.bulk_submit, name="bulk_submit"),
    path("versions/<int:pk>/", views.review_detail, name="review"),
    re_path(r"^versions/(?P<pk>\d+)/(?P<action>submit|approve|request-changes|reject|withdraw|resubmit)/$",
            views.version_transition, name="transition"),
    path("versions/<int:pk>/comments/", views.comment_create, name="comment"),
    path("versions/<int:pk>/restore/", views.version_restore, name="restore"),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("assets/<uuid:uid>/history/", views.asset_history, name="history"),
    path("assets/<uuid:uid>/check-out/", views.asset_check_out, name="check_out"),
    path("assets/<uuid:uid>/check-in/", views.asset_check_in, name="check_in"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/preference/", views.notification_preference, name="notification_preference"),
]
