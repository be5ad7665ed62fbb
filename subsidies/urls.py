"""HTML pages of the subsidies app."""

from django.urls import path

from subsidies import watches
from subsidies.views import attendance, claims

urlpatterns = [
    path("subsidies/claims/", claims.claim_list, name="subsidy-claims"),
    path("subsidies/claims/new/<str:kind>/", claims.claim_new, name="subsidy-claim-new"),
    path("subsidies/claims/<int:pk>/", claims.claim_detail, name="subsidy-claim-detail"),
    path("subsidies/claims/<int:pk>/submit/", claims.claim_submit, name="subsidy-claim-submit"),
    path(
        "subsidies/claims/<int:pk>/documents/", claims.claim_document, name="subsidy-claim-document"
    ),
    path(
        "subsidies/claims/<int:pk>/documents/<int:document_id>/",
        claims.claim_document_download,
        name="subsidy-claim-document-download",
    ),
    path("subsidies/claims/<int:pk>/decide/", claims.claim_decide, name="subsidy-claim-decide"),
    path("subsidies/queue/", claims.queue, name="subsidy-queue"),
    path("subsidies/watch/", watches.toggle_office_watch, name="subsidy-office-watch"),
    path(
        "public/attendance/<str:code>/",
        attendance.attendance_answer,
        name="public-attendance",
    ),
    path("subsidies/batches/", claims.batch_list, name="subsidy-batches"),
    path("subsidies/batches/<int:pk>/", claims.batch_detail, name="subsidy-batch-detail"),
    path("subsidies/batches/<int:pk>/export/", claims.batch_export, name="subsidy-batch-export"),
]
