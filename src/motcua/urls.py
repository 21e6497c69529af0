from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("thong-ke/", include("motcua.web.statistics.urls")),
    path("tai-lieu/", include("motcua.documents.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("phan-anh/", include("motcua.engagement.urls")),
    path("tich-hop/", include("motcua.integrations.urls")),
    path("", include("motcua.core.urls")),
    path("", include("motcua.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ every error is JSON (api/errors.py); elsewhere Django's own pages.
handler400 = "motcua.api.errors.bad_request"
handler403 = "motcua.api.errors.permission_denied"
handler404 = "motcua.api.errors.page_not_found"
handler500 = "motcua.api.errors.server_error"
