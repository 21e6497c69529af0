from django.contrib import admin

from .models import Payment, Reconciliation


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("merchant_ref", "dossier", "amount_vnd", "status", "confirmed_by", "paid_at")
    list_filter = ("status", "confirmed_by")
    search_fields = ("merchant_ref", "gateway_ref", "dossier__code")
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ("day", "gateway_count", "gateway_total_vnd", "ours_count", "ours_total_vnd", "fixed", "created_at")
    readonly_fields = [f.name for f in Reconciliation._meta.fields]
