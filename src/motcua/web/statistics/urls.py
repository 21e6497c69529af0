from django.urls import path

from .views import index766, officers, public

app_name = "reporting"  # the page names stay reporting:index, reporting:unit, ...
urlpatterns = [
    path("", public.transparency_index, name="index"),
    path("don-vi/<str:code>/", public.transparency_unit, name="unit"),
    path("chi-so-766/", index766.index766, name="index766"),
    path("chi-so-766/<str:code>/", index766.loss766, name="loss766"),
    path("ho-so/", officers.drill_down, name="drill_down"),
    path("bao-cao/", officers.report_new, name="report_new"),
    path("bao-cao/<id:job_id>/", officers.report_job, name="report_job"),
    path("bao-cao/<id:job_id>/tien-do/", officers.report_progress, name="report_progress"),
    path("bao-cao/<id:job_id>/tao-lai/", officers.report_retry, name="report_retry"),
    path("bao-cao/<id:job_id>/tai-ve/", officers.report_download, name="report_download"),
]
