"""Registration pages (included from registry/urls.py)."""

from django.urls import path

from registry.views import registrations as views

urlpatterns = [
    path("operator/", views.operator_home, name="operator-home"),
    path("registrations/new/", views.registration_create, name="registration-create"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration-detail"),
    path("registrations/<int:pk>/edit/", views.registration_edit, name="registration-edit"),
    path("registrations/<int:pk>/submit/", views.registration_submit, name="registration-submit"),
    path("registrar/", views.registrar_queue, name="registrar-queue"),
    path(
        "registrar/registrations/<int:pk>/",
        views.registration_detail,
        name="registrar-registration",
    ),
    path(
        "registrar/registrations/<int:pk>/<str:decision>/",
        views.registrar_decide,
        name="registrar-decide",
    ),
    path("institutions/<int:pk>/members/", views.institution_members, name="institution-members"),
]
