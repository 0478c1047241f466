from django.urls import path

from parkcredit.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("<int:pk>/read/", views.read_view, name="read"),
    path("read-all/", views.read_all_view, name="read_all"),
    path("subscriptions/", views.subscriptions_view, name="subscriptions"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete_view, name="subscription_delete"),
]
