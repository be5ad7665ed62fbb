from django.urls import path

from . import views

urlpatterns = [
    path("inspections/findings/", views.operator_findings, name="operator-findings"),
    path("inspections/findings/<int:pk>/rectify/", views.rectify_finding, name="finding-rectify"),
    path(
        "inspections/penalties/<int:pk>/reply/",
        views.reply_enforcement,
        name="enforcement-reply",
    ),
    path("inspections/complaints/", views.complaint_queue, name="complaint-queue"),
    path("inspections/complaints/<int:pk>/triage/", views.triage, name="complaint-triage"),
    path("inspections/due/", views.inspection_due, name="inspection-due"),
    path("public/complaints/new/", views.public_complaint_new, name="public-complaint-new"),
    path(
        "public/complaints/<str:tracking_code>/",
        views.public_complaint_track,
        name="public-complaint-track",
    ),
]
