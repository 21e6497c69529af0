from django.contrib import admin

from motcua.audit.services import record_read

from .models import Feedback, RatingCriterion, SatisfactionRating


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "is_active")  # the code is an identifier, edited in the form
    list_display_links = ("name",)
    list_editable = ("order", "is_active")


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "satisfied", "total_score", "max_score", "created_at")
    list_filter = ("satisfied",)
    search_fields = ("dossier__code",)
    readonly_fields = ("dossier", "rated_by", "satisfied", "scores", "total_score", "max_score", "comment",
                       "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "classification", "agency", "status", "received_at", "handle_due_at",
                    "is_public")
    list_filter = ("status", "classification", "is_public")
    search_fields = ("code", "title", "submitter_name", "submitter_phone")
    date_hierarchy = "received_at"
    readonly_fields = ("code", "status", "received_at", "reject_due_at", "handle_due_at", "processing_at",
                       "answered_at", "publish_due_at", "published_at", "rejected_at", "answered_by",
                       "submitter", "submitter_satisfied", "answer", "reject_reason", "is_public")

    # Answers, rejections and publication go through motcua.engagement.feedback (audit + outbox events).

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_read(request.user, "feedback", object_id,
                        ["submitter_name", "submitter_phone", "submitter_email", "submitter_address"], purpose="admin")
        return response
