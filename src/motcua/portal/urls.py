from django.urls import path

from .views import accounts, catalog, dossiers, feedback, submission, tracking

app_name = __name__.split(".")[1]
urlpatterns = [
    path("", catalog.home, name="home"),
    path("thu-tuc/", catalog.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", catalog.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", submission.submit, name="submit"),
    path("tra-cuu/", tracking.track, name="track"),
    path("ho-so-cua-toi/", dossiers.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<id:pk>/", dossiers.dossier_detail, name="dossier"),
    path("ho-so-cua-toi/<id:pk>/phieu/<slug:kind>.<str:fmt>", dossiers.dossier_slip, name="dossier_slip"),
    path("ho-so-cua-toi/<id:pk>/tep/<id:att_id>/", dossiers.attachment, name="attachment"),
    path("ho-so-cua-toi/<id:pk>/ket-qua/", dossiers.dossier_result, name="dossier_result"),
    path("ho-so-cua-toi/<id:pk>/danh-gia/", dossiers.rate, name="rate"),
    path("ho-so-cua-toi/<id:pk>/bo-sung/", dossiers.provide_supplement, name="supplement"),
    path("ho-so-cua-toi/<id:pk>/thanh-toan/", dossiers.pay, name="pay"),
    path("ho-so-cua-toi/<id:pk>/thanh-toan/ket-qua/", dossiers.payment_return, name="payment_return"),
    path("ho-so-cua-toi/<id:pk>/thanh-toan/bien-lai/", dossiers.payment_receipt, name="payment_receipt"),
    path("ho-so-cua-toi/<id:pk>/rut-ho-so/", dossiers.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<id:pk>/kho-du-lieu/dong-y/", dossiers.consent, {"action": "grant"}, name="consent_grant"),
    path("ho-so-cua-toi/<id:pk>/kho-du-lieu/rut-lai/", dossiers.consent, {"action": "revoke"}, name="consent_revoke"),
    path("gui-phan-anh/", feedback.feedback, name="feedback"),
    path("gui-phan-anh/<str:code>/bo-sung/", feedback.feedback_reply, name="feedback_reply"),
    path("gui-phan-anh/<str:code>/danh-gia/", feedback.feedback_rate, name="feedback_rate"),
    path("phan-anh-da-tra-loi/", feedback.feedback_answers, name="feedback_answers"),
    path("tai-khoan/dang-nhap/", accounts.login_view, name="login"),
    path("tai-khoan/dang-xuat/", accounts.logout_view, name="logout"),
    path("tai-khoan/dang-ky/", accounts.signup, name="signup"),
    path("tai-khoan/mat-khau/", accounts.set_password, name="set_password"),
]
