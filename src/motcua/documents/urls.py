from django.urls import path

from . import views

app_name = __name__.split(".")[1]
urlpatterns = [
    path("kiem-tra-chu-ky/", views.verify_signature, name="verify"),
    path("so-hoa/<id:job_id>/", views.job_progress, name="job"),
]
