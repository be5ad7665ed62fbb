"""API routes of the notifications under /api/v1/."""

from django.urls import path

from .api import NotificationListView, NotificationReadView

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/read/",
        NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
