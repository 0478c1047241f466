from django.urls import path

from parkcredit.records import views

app_name = "records"
urlpatterns = [
    path("<int:pk>/", views.record_detail, name="detail"),
]
