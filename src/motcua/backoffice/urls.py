from django.urls import include, path

from .views import dashboard, digitization, dossier, feedback, queues, reorganization, results, second_factor, walk_in

app_name = __name__.split(".")[1]
urlpatterns = [
    path("", queues.home, name="home"),
    path("xac-thuc-hai-lop/", second_factor.twofa_verify, name="twofa_verify"),
    path("xac-thuc-hai-lop/dang-ky/", second_factor.twofa_enrol, name="twofa_enrol"),
    path("tiep-nhan/", queues.queue, name="queue"),
    path("tiep-nhan/truc-tiep/", walk_in.walk_in, name="walk_in"),
    path("tiep-nhan/tim-cong-dan/", walk_in.person_lookup, name="person_lookup"),
    path("viec-cua-toi/", queues.inbox, name="inbox"),
    path("ho-so/", queues.dossier_list, name="dossiers"),
    path("ho-so/<id:pk>/", dossier.dossier_detail, name="dossier"),
    path("ho-so/<id:pk>/xu-ly/<slug:action>/", dossier.dossier_action, name="action"),
    path("ho-so/<id:pk>/buu-gui/da-nhan-lai/", dossier.parcel_collected, name="parcel_collected"),
    path("ho-so/<id:pk>/phieu/<slug:kind>.<str:fmt>", dossier.dossier_slip, name="slip"),
    path("ho-so/<id:pk>/tep/<id:att_id>/", dossier.attachment, name="attachment"),
    path("ho-so/<id:pk>/kho-du-lieu/dong-y/", dossier.consent, {"action": "grant"}, name="consent_grant"),
    path("ho-so/<id:pk>/kho-du-lieu/rut-lai/", dossier.consent, {"action": "revoke"}, name="consent_revoke"),
    path("ho-so/<id:pk>/so-hoa/<slug:kind>/", digitization.scan_upload, name="scan_upload"),
    path("ho-so/<id:pk>/so-hoa/luot/<id:job_id>/", digitization.scan_job, name="scan_job"),
    path("ho-so/<id:pk>/so-hoa/luot/<id:job_id>/tien-do/", digitization.scan_progress, name="scan_progress"),
    path("ho-so/<id:pk>/so-hoa/luot/<id:job_id>/nhan-dang-lai/", digitization.scan_retry, name="scan_retry"),
    path("ho-so/<id:pk>/so-hoa/luot/<id:job_id>/trang/<id:number>.png", digitization.scan_page, name="scan_page"),
    path("ho-so/<id:pk>/du-thao-ket-qua/", results.result_draft, name="result_draft"),
    path("thu-tuc/<str:code>/mau-ket-qua/", results.result_template, name="result_template"),
    path("bang-dieu-khien/", dashboard.dashboard, name="dashboard"),
    path("phan-anh/", feedback.feedback_list, name="feedback_list"),
    path("phan-anh/<id:pk>/", feedback.feedback_detail, name="feedback"),
    path("phan-anh/<id:pk>/<slug:action>/", feedback.feedback_action, name="feedback_action"),
    path("chuyen-doi-so/", include("motcua.backoffice.dx.urls")),
    path("sap-xep-don-vi/", reorganization.plan_list, name="reorganizations"),
    path("sap-xep-don-vi/moi/", reorganization.plan_new, name="reorganization_new"),
    path("sap-xep-don-vi/<id:pk>/", reorganization.plan_detail, name="reorganization"),
    path("sap-xep-don-vi/<id:pk>/sua/", reorganization.plan_edit, name="reorganization_edit"),
    path("sap-xep-don-vi/<id:pk>/<slug:action>/", reorganization.plan_action, name="reorganization_action"),
]
