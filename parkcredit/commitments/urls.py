from django.urls import path

from parkcredit.commitments import views

app_name = "commitments"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("check/", views.check_view, name="check"),
    path("mine/", views.mine_view, name="mine"),
    path("public/", views.public_list_view, name="public"),
    path("public/<str:number>/", views.public_detail_view, name="public_detail"),
    path("sign/<int:pk>/", views.sign_view, name="sign"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/deliver/", views.deliver_view, name="deliver"),
    path("<int:pk>/breach/", views.breach_view, name="breach"),
    path("templates/", views.template_list_view, name="templates"),
    path("templates/new/", views.template_create_view, name="template_create"),
    path("templates/<int:pk>/edit/", views.template_edit_view, name="template_edit"),
]
