from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    verbose_name = "Thanh toán trực tuyến"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"
