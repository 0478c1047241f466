"""Codes URLs: the public verification page `/c/<token>` (short, it lives in a QR code) and the
per-enterprise code pages under `/codes/<enterprise pk>/`."""

from django.urls import path

from parkcredit.codes import views

app_name = "codes"
urlpatterns = [
    path("c/<str:token>", views.public_view, name="public"),
    path("codes/<int:pk>/", views.manage_view, name="manage"),
    path("codes/<int:pk>/qr.svg", views.qr_svg_view, name="qr_svg"),
    path("codes/<int:pk>/qr.png", views.qr_png_view, name="qr_png"),
    path("codes/<int:pk>/plaque/", views.plaque_view, name="plaque"),
    path("codes/<int:pk>/issue/", views.issue_view, name="issue"),
    path("codes/<int:pk>/revoke/", views.revoke_view, name="revoke"),
]
