from django.urls import path

from parkcredit.records import views
from parkcredit.records.importing import views as importing

app_name = "records"
urlpatterns = [
    path("<int:pk>/", views.record_detail, name="detail"),
    # 信用信息归集: upload, history, batches, the 待关联 queue, data quality.
    path("imports/", importing.import_list_view, name="import_list"),
    path("imports/upload/", importing.import_upload_view, name="import_upload"),
    path("imports/upload/columns/", importing.import_profile_view, name="import_profile"),
    path("imports/samples/<slug:name>/", importing.sample_view, name="sample"),
    path("imports/<int:pk>/", importing.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/errors/", importing.import_errors_view, name="import_errors"),
    path("imports/<int:pk>/undo/", importing.import_undo_view, name="import_undo"),
    path("imports/unmatched/", importing.unmatched_list_view, name="unmatched_list"),
    path("imports/unmatched/<int:pk>/", importing.unmatched_resolve_view, name="unmatched_resolve"),
    path("imports/quality/", importing.quality_view, name="quality"),
]
