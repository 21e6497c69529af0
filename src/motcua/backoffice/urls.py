from django.urls import path

from . import feedback, views

app_name = __name__.split(".")[1]
urlpatterns = [
    path("", views.home, name="home"),
    path("xac-thuc-hai-lop/", views.twofa_verify, name="twofa_verify"),
    path("xac-thuc-hai-lop/dang-ky/", views.twofa_enrol, name="twofa_enrol"),
    path("tiep-nhan/", views.queue, name="queue"),
    path("tiep-nhan/truc-tiep/", views.walk_in, name="walk_in"),
    path("tiep-nhan/tim-cong-dan/", views.person_lookup, name="person_lookup"),
    path("viec-cua-toi/", views.inbox, name="inbox"),
    path("ho-so/", views.dossier_list, name="dossiers"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="dossier"),
    path("ho-so/<int:pk>/xu-ly/<slug:action>/", views.dossier_action, name="action"),
    path("ho-so/<int:pk>/phieu/<slug:kind>.<str:fmt>", views.dossier_slip, name="slip"),
    path("ho-so/<int:pk>/tep/<int:att_id>/", views.attachment, name="attachment"),
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("phan-anh/", feedback.feedback_list, name="feedback_list"),
    path("phan-anh/<int:pk>/", feedback.feedback_detail, name="feedback"),
    path("phan-anh/<int:pk>/<slug:action>/", feedback.feedback_action, name="feedback_action"),
]
