from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Một Cửa Số — Quản trị"
admin.site.site_title = "Một Cửa Số"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("", include("motcua.core.urls")),
]
