from django.contrib import admin

from motcua.audit.services import record_read
from motcua.core.admin import ViewOnly

from .models import Feedback, RatingCriterion, SatisfactionRating


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "is_active")  # the code is an identifier, edited in the form
    list_display_links = ("name",)
    list_editable = ("order", "is_active")


# A citizen's rating and feedback are their words, and the Decision 766 satisfaction and feedback figures are
# counted from them: shown in the admin, never edited or deleted by hand. Feedback is handled, transferred,
# answered and published through motcua.engagement.feedback (audit + outbox events), in the back office.


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("dossier", "satisfied", "total_score", "max_score", "created_at")
    list_filter = ("satisfied",)
    search_fields = ("dossier__code",)


@admin.register(Feedback)
class FeedbackAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("code", "title", "classification", "agency", "status", "received_at", "handle_due_at",
                    "is_public")
    list_filter = ("status", "classification", "is_public")
    search_fields = ("code", "title", "submitter_name", "submitter_phone")
    date_hierarchy = "received_at"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_read(request.user, "feedback", object_id,
                        ["submitter_name", "submitter_phone", "submitter_email", "submitter_address"], purpose="admin")
        return response
