"""Admins set up approval policies (per collection or asset type) in the Django admin."""
from django.contrib import admin

from workflows.models import ApprovalPolicy, ApprovalStep


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 1
    ordering = ["position"]


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "collection", "asset_type", "is_default", "same_person_may_sign_several_steps"]
    list_select_related = ["collection"]
    inlines = [ApprovalStepInline]
