"""API route of the exchange receiver under /api/v1/."""

from django.urls import path

from .api import ReceiveEventView

urlpatterns = [
    path("exchange/events/", ReceiveEventView.as_view(), name="exchange-events"),
]
