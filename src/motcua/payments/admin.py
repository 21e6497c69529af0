from django.contrib import admin

from motcua.core.admin import SystemRecords

from .models import Payment, Reconciliation


@admin.register(Payment)
class PaymentAdmin(SystemRecords, admin.ModelAdmin):
    list_display = ("merchant_ref", "dossier", "amount_vnd", "status", "confirmed_by", "paid_at")
    list_filter = ("status", "confirmed_by")
    search_fields = ("merchant_ref", "gateway_ref", "dossier__code")
    readonly_fields = [f.name if f.name != "gateway" else "gateway_name" for f in Payment._meta.fields]

    @admin.display(description="cổng thanh toán")
    def gateway_name(self, obj):
        # "payment": the integration (MOTCUA_INTEGRATIONS) of the national portal's payment platform
        return "Nền tảng thanh toán trực tuyến (Cổng DVC quốc gia)" if obj.gateway == "payment" else obj.gateway


@admin.register(Reconciliation)
class ReconciliationAdmin(SystemRecords, admin.ModelAdmin):
    list_display = ("day", "gateway_count", "gateway_total_vnd", "ours_count", "ours_total_vnd", "fixed", "created_at")
    readonly_fields = [f.name for f in Reconciliation._meta.fields]
