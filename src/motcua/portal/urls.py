from django.urls import path

from . import views

app_name = __name__.split(".")[1]
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.submit, name="submit"),
    path("tra-cuu/", views.track, name="track"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<int:pk>/", views.dossier_detail, name="dossier"),
    path("ho-so-cua-toi/<int:pk>/phieu/<slug:kind>.<str:fmt>", views.dossier_slip, name="dossier_slip"),
    path("ho-so-cua-toi/<int:pk>/tep/<int:att_id>/", views.attachment, name="attachment"),
    path("ho-so-cua-toi/<int:pk>/ket-qua/", views.dossier_result, name="dossier_result"),
    path("ho-so-cua-toi/<int:pk>/danh-gia/", views.rate, name="rate"),
    path("ho-so-cua-toi/<int:pk>/bo-sung/", views.provide_supplement, name="supplement"),
    path("ho-so-cua-toi/<int:pk>/thanh-toan/", views.pay, name="pay"),
    path("ho-so-cua-toi/<int:pk>/thanh-toan/ket-qua/", views.payment_return, name="payment_return"),
    path("ho-so-cua-toi/<int:pk>/rut-ho-so/", views.withdraw, name="withdraw"),
    path("gui-phan-anh/", views.feedback, name="feedback"),
    path("phan-anh-da-tra-loi/", views.feedback_answers, name="feedback_answers"),
    path("tai-khoan/dang-nhap/", views.login_view, name="login"),
    path("tai-khoan/dang-xuat/", views.logout_view, name="logout"),
    path("tai-khoan/dang-ky/", views.signup, name="signup"),
]
