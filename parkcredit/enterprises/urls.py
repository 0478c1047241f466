from django.urls import path

from parkcredit.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list_view, name="list"),
    path("new/", views.enterprise_create_view, name="create"),
    path("mine/", views.enterprise_mine_view, name="mine"),
    path("<int:pk>/", views.enterprise_detail_view, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit_view, name="edit"),
]
