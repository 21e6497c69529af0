from django.contrib import admin

from motcua.core.admin import ViewOnly

from .models import Attachment, DigitizationJob, ResultTemplate, VaultConsent, VaultItem

# A dossier's files and scans, a person's repository and their consents are written by this app's services only
# (who uploaded, the digest, the signature check, the officer's confirmation, the owner's consent, each audited)
# and feed the Decision 766 digitization figures: shown in the admin, never edited, moved to another dossier or person, or deleted by hand.


@admin.register(Attachment)
class AttachmentAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("original_name", "kind", "content_type", "size", "dossier", "reused", "is_signed", "uploaded_at")
    list_filter = ("kind", "content_type", "reused", "is_signed")
    search_fields = ("original_name", "sha256", "dossier__code")
    raw_id_fields = ("dossier", "owner", "component", "uploaded_by", "reused_from")
    readonly_fields = ("sha256", "size", "content_type", "storage_path", "signature")


@admin.register(DigitizationJob)
class DigitizationJobAdmin(ViewOnly, admin.ModelAdmin):  # its confirmation is what makes a dossier digitized
    list_display = ("id", "dossier", "kind", "status", "pages_done", "pages_total", "created_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("dossier", "component", "output", "created_by", "confirmed_by")
    filter_horizontal = ("sources",)


@admin.register(VaultItem)
class VaultItemAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("title", "id_number", "kind", "is_valid", "valid_until", "created_at")
    list_filter = ("kind", "is_valid")
    search_fields = ("id_number", "title")
    raw_id_fields = ("attachment", "source_dossier", "created_by")


@admin.register(VaultConsent)
class VaultConsentAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("id_number", "purpose", "dossier", "by_applicant", "granted_at", "expires_at", "revoked_at")
    list_filter = ("purpose", "by_applicant")
    search_fields = ("id_number", "dossier__code")
    raw_id_fields = ("granted_by", "dossier")


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    list_display = ("procedure", "file", "uploaded_by", "uploaded_at")
    raw_id_fields = ("procedure", "file", "uploaded_by")
