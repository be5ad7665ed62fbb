"""HTML pages of the subsidies app."""

from django.urls import path

from . import views, views_attendance, watches

urlpatterns = [
    path("subsidies/claims/", views.claim_list, name="subsidy-claims"),
    path("subsidies/claims/new/<str:kind>/", views.claim_new, name="subsidy-claim-new"),
    path("subsidies/claims/<int:pk>/", views.claim_detail, name="subsidy-claim-detail"),
    path("subsidies/claims/<int:pk>/submit/", views.claim_submit, name="subsidy-claim-submit"),
    path(
        "subsidies/claims/<int:pk>/documents/", views.claim_document, name="subsidy-claim-document"
    ),
    path(
        "subsidies/claims/<int:pk>/documents/<int:document_id>/",
        views.claim_document_download,
        name="subsidy-claim-document-download",
    ),
    path("subsidies/claims/<int:pk>/decide/", views.claim_decide, name="subsidy-claim-decide"),
    path("subsidies/queue/", views.queue, name="subsidy-queue"),
    path("subsidies/watch/", watches.toggle_office_watch, name="subsidy-office-watch"),
    path(
        "public/attendance/<str:code>/",
        views_attendance.attendance_answer,
        name="public-attendance",
    ),
    path("subsidies/batches/", views.batch_list, name="subsidy-batches"),
    path("subsidies/batches/<int:pk>/", views.batch_detail, name="subsidy-batch-detail"),
    path("subsidies/batches/<int:pk>/export/", views.batch_export, name="subsidy-batch-export"),
]
