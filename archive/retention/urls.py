from django.urls import path

from archive.retention import views

app_name = "retention"
urlpatterns = [
    path("retention/", views.rule_list, name="rules"),
    path("retention/new/", views.rule_new, name="rule_new"),
    path("retention/<int:pk>/", views.dry_run, name="dry_run"),
    path("retention/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("retention/<int:pk>/enable/", views.rule_enable, name="rule_enable"),
    path("retention/<int:pk>/disable/", views.rule_disable, name="rule_disable"),
    path("retention/<int:pk>/run/", views.rule_run, name="rule_run"),
    path("retention/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("holds/asset/<uuid:uid>/", views.hold_asset, name="hold_asset"),
    path("holds/collection/<int:pk>/", views.hold_collection, name="hold_collection"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("bin/", views.bin_list, name="bin"),
    path("bin/asset/<uuid:uid>/", views.asset_bin, name="asset_bin"),
    path("bin/<int:pk>/restore/", views.bin_restore, name="bin_restore"),
    path("bin/<int:pk>/purge/", views.bin_purge, name="bin_purge"),
]
