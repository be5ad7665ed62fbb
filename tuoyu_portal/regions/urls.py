from django.urls import path

from . import views

urlpatterns = [
    path("public/rules/<str:code>/", views.public_rules, name="public-rules"),
]
api_urlpatterns = [
    path("rules/", views.RulesInForceView.as_view(), name="api-rules"),
]
