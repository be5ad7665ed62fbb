from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", views.read, name="notification-read"),
    path("notifications/read-all/", views.read_all, name="notifications-read-all"),
]
