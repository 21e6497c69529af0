from django.urls import path

from . import views

app_name = __name__.split(".")[1]
urlpatterns = [
    path("vneid/dang-nhap/", views.eid_start, name="eid_start"),
    path("vneid/callback/", views.eid_callback, name="eid_callback"),
]
