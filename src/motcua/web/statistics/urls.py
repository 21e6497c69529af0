from django.urls import path

from . import views

app_name = "reporting"  # the page names stay reporting:index, reporting:unit, ...
urlpatterns = [
    path("", views.transparency_index, name="index"),
    path("don-vi/<str:code>/", views.transparency_unit, name="unit"),
    path("chi-so-766/", views.index766, name="index766"),
    path("ho-so/", views.drill_down, name="drill_down"),
    path("bao-cao/", views.report_new, name="report_new"),
    path("bao-cao/<int:job_id>/", views.report_job, name="report_job"),
    path("bao-cao/<int:job_id>/tien-do/", views.report_progress, name="report_progress"),
    path("bao-cao/<int:job_id>/tai-ve/", views.report_download, name="report_download"),
]
