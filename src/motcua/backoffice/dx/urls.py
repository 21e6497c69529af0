from django.urls import path

from . import imports, plans, rounds

urlpatterns = [
    path("", plans.home, name="dx_home"),
    path("ke-hoach/moi/", plans.plan_new, name="dx_plan_new"),
    path("ke-hoach/<int:pk>/", plans.plan_detail, name="dx_plan"),
    path("ke-hoach/<int:pk>/nhom/", plans.section_add, name="dx_section_add"),
    path("ke-hoach/<int:pk>/nhom/<int:section_id>/nhiem-vu/", plans.task_add, name="dx_task_add"),
    path("ke-hoach/<int:pk>/chi-tieu/", plans.target_add, name="dx_target_add"),
    path("ke-hoach/<int:pk>/<slug:action>/", plans.plan_status, name="dx_plan_status"),
    path("ke-hoach/<int:pk>/xuat.xlsx", plans.plan_export, name="dx_plan_export"),
    path("nhiem-vu/<int:tid>/sua/", plans.task_edit, name="dx_task_edit"),
    path("nhiem-vu/<int:tid>/xoa/", plans.task_delete, name="dx_task_delete"),
    path("nhiem-vu/<int:tid>/kinh-phi/", plans.line_add, name="dx_line_add"),
    path("nhiem-vu/<int:tid>/minh-chung/", plans.evidence_add, name="dx_evidence_add"),
    path("kinh-phi/<int:lid>/xoa/", plans.line_delete, name="dx_line_delete"),
    path("chi-tieu/<int:target_id>/gia-tri/", plans.value_add, name="dx_value_add"),
    path("minh-chung/<int:att_id>/", plans.evidence, name="dx_evidence"),
    path("nhiem-vu-cua-toi/", plans.my_tasks, name="dx_my_tasks"),
    path("nhap/", imports.import_page, name="dx_import"),
    path("ky-bao-cao/", rounds.round_list, name="dx_rounds"),
    path("ky-bao-cao/<int:pk>/", rounds.round_detail, name="dx_round"),
    path("ky-bao-cao/<int:pk>/nhac/", rounds.round_remind, name="dx_round_remind"),
    path("ky-bao-cao/<int:pk>/don-vi/<str:code>/", rounds.round_answer, name="dx_round_answer"),
    path("tong-hop/", rounds.dashboard, name="dx_dashboard"),
    path("to-cong-nghe-so/", rounds.community_page, name="dx_community"),
    path("danh-muc/", rounds.catalogue_page, name="dx_catalogue"),
]
