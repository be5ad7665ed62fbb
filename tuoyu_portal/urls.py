from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .regions import urls as regions_urls

admin.site.site_header = _("托育机构登记备案服务平台 · 管理后台")
admin.site.site_title = _("托育服务平台管理")
admin.site.index_title = _("监督检查与系统管理")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("", include("registry.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("subsidies.api.urls")),
    path("", include("tuoyu_portal.exchange.urls")),
    path("", include("tuoyu_portal.dashboard.api_urls")),  # statistics
    path("", include("tuoyu_portal.calendar_api")),  # working-day calculator
    path("", include(regions_urls.api_urlpatterns)),  # rules in force
    path("", include("tuoyu_portal.notifications.api_urls")),  # the caller's notifications
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("tuoyu_portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("registry.urls")),
    path("", include("inspections.urls")),
    path("", include("subsidies.urls")),
    path("", include("tuoyu_portal.dashboard.urls")),  # dashboard, exports, public statistics
    path("", include("tuoyu_portal.notifications.urls")),  # in-app inbox
    path("", include(regions_urls.urlpatterns)),  # public rules page
]
