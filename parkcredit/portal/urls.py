"""Portal URLs: public pages under /public/ (no sign-in), list editing under /lists/ for park
staff, and the enterprise self-service dashboard at /my/."""

from django.urls import path

from parkcredit.portal import views

app_name = "portal"
urlpatterns = [
    path("public/", views.home_view, name="home"),
    path("public/e/<str:uscc>/", views.enterprise_view, name="enterprise"),
    path("public/grades/", views.grades_view, name="grades"),
    path("public/lists/", views.lists_view, name="lists"),
    path("public/lists/<int:pk>/", views.list_view, name="list"),
    path("lists/", views.manage_view, name="manage"),
    path("lists/new/", views.create_view, name="manage_create"),
    path("lists/<int:pk>/", views.manage_detail_view, name="manage_detail"),
    path("lists/<int:pk>/entries/", views.entry_add_view, name="entry_add"),
    path("lists/<int:pk>/entries/<int:entry_pk>/remove/", views.entry_remove_view, name="entry_remove"),
    path("lists/<int:pk>/suggest/", views.suggest_view, name="suggest"),
    path("lists/<int:pk>/publish/", views.publish_view, name="publish"),
    path("lists/<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
    path("my/", views.mine_view, name="mine"),
]
