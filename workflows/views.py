"""Review screens: queues, the review page, comments, check-out, history, notifications."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts import permissions as authority
from assets import selectors as asset_selectors
from assets.services import DuplicateFile, VersionRefused
from dam.http import AuthedHttpRequest
from workflows import selectors, services
from workflows.forms import CommentForm, DecisionForm, PreferenceForm, ReviewFilter
from workflows.models import Comment
from workflows.services import LockHeld
from workflows.states import Action, TransitionNotAllowed

QUEUES = {
    "mine": ("My reviews", selectors.reviews_waiting_for),
    "submissions": ("My submissions", selectors.submissions_of),
    "changes": ("Changes requested", selectors.changes_requested_for),
}
URL_ACTIONS = {"submit": Action.SUBMIT, "approve": Action.APPROVE, "request-changes": Action.REQUEST_CHANGES,
               "reject": Action.REJECT, "withdraw": Action.WITHDRAW, "resubmit": Action.RESUBMIT}
DONE = {Action.SUBMIT: "submitted for review", Action.APPROVE: "approved", Action.REQUEST_CHANGES:
        "sent back with your requested changes", Action.REJECT: "rejected", Action.WITHDRAW: "withdrawn to draft",
        Action.RESUBMIT: "resubmitted for review"}


# Session key (+ version id) of a submission note kept after a refused submit.
UNSENT_NOTE = "workflows.unsent_note."


class ReviewQueueView(LoginRequiredMixin, FilterView):
    filterset_class = ReviewFilter
    template_name = "workflows/queue.html"
    context_object_name = "reviews"
    paginate_by = 50
    queue = "mine"

    def get_queryset(self) -> Any:
        return QUEUES[self.queue][1](self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = selectors.queue_counts(self.request.user)
        context.update(title=QUEUES[self.queue][0], queue=self.queue, tabs=[
            (key, label, reverse(f"workflows:{key}"), counts[key]) for key, (label, _) in QUEUES.items()])
        return context


@login_required
def review_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, selectors.access_version(request.user, pk), CommentForm())


def _review_page(request: AuthedHttpRequest, version: Any, comment_form: CommentForm) -> HttpResponse:
    """The review page; a comment that could not be saved comes back in `comment_form` with its errors."""
    pk = version.pk
    asset = version.asset
    review = selectors.latest_review_of(version)
    # Compared with the revision just before, whatever became of it: a reviewer checks what was asked of v1.
    base = selectors.previous_revision(request.user, version)
    comments = selectors.comments_of(version)
    earlier_comments = selectors.comments_of(base) if base is not None else []
    actions = selectors.decision_actions(request.user, version)
    lock = selectors.lock_of(asset)
    return render(request, "workflows/review.html", {
        "title": f"{asset.title} v{version.number}", "asset": asset, "version": version, "review": review,
        "base": base, "base_label": selectors.revision_label(base) if base else "",
        "this_label": selectors.revision_label(version),
        "feedback": selectors.feedback_on(version), "base_feedback": selectors.feedback_on(base) if base else None,
        "earlier_comments": earlier_comments,
        "resolvable": {c.pk for c in [*comments, *earlier_comments]
                       if authority.can(request.user, "resolve", c)},
        "progress": selectors.policy_progress(review) if review else [],
        "diff": selectors.metadata_diff(version, review, base),
        "four_eyes": selectors.why_not_second_signature(request.user, version),
        "decisions": [a for a in actions if a in (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT)],
        "own_actions": [a for a in actions if a in (Action.SUBMIT, Action.RESUBMIT, Action.WITHDRAW)],
        "unsent_note": request.session.get(f"{UNSENT_NOTE}{pk}", ""),
        # What a submission would be refused for, with a link to fill it (only for whoever may submit).
        "missing": asset_selectors.missing_required_fields(asset)
        if any(a in actions for a in (Action.SUBMIT, Action.RESUBMIT)) else [],
        "decision_form": DecisionForm(initial={"sha256": version.sha256,
                                               "step": review.step if review and review.outcome == "open" else None}),
        "comments": comments, "comment_form": comment_form,
        "can_comment": authority.can(request.user, "comment", version),
        "lock": lock, "is_current": asset.current_version_id == version.pk,
        # Only those who may see the newer revision learn that there is one.
        "newer": asset.current_version if asset.current_version_id != version.pk and asset.current_version
        and authority.can(request.user, "view", asset.current_version) else None,
        "can_check_out": lock is None and authority.can(request.user, "add_version", asset),
        "can_release": lock is not None and authority.can(request.user, "check_in", lock),
    }, status=400 if comment_form.errors else 200)


@login_required
@require_POST
def version_transition(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    transition = URL_ACTIONS.get(action)
    if transition is None:
        raise Http404("No such action.")
    version = selectors.access_version(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was not complete; try again.")
        return redirect("workflows:review", pk)
    try:
        services.version_transition(transition, version_id=version.pk, actor=request.user,
                                    comment=form.cleaned_data["comment"], sha256=form.cleaned_data["sha256"] or None,
                                    step=form.cleaned_data["step"])
    except (TransitionNotAllowed, services.DecisionRefused) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if transition in (Action.SUBMIT, Action.RESUBMIT):
            # The note typed for the reviewers waits on the review page until the fields are filled.
            request.session[f"{UNSENT_NOTE}{pk}"] = form.cleaned_data["comment"]
    else:
        request.session.pop(f"{UNSENT_NOTE}{pk}", None)
        messages.success(request, f"v{version.number} of “{version.asset.title}” was {DONE[transition]}.")
    return redirect("workflows:review", pk)


@login_required
@require_POST
def comment_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(request.user, pk, "comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = authority.access(request.user, Comment.objects.all(), pk=form.cleaned_data["parent"])
        try:
            comment = services.comment_add(version=version, actor=request.user, body=form.cleaned_data["body"],
                                           parent=parent, region=form.cleaned_data["region"])
        except ValidationError as exc:
            # The service judges the region (fractions inside the picture): its word goes beside the field.
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(f"{reverse('workflows:review', args=[pk])}#comment-{comment.pk}")
    if form.cleaned_data.get("parent"):
        # A reply is typed in its thread's own box, not in the form shown again: say what went wrong on top.
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workflows:review", pk)
    return _review_page(request, version, form)


@login_required
@require_POST
def comment_resolve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    comment = authority.access(request.user, Comment.objects.select_related("version__asset"), "resolve", pk=pk)
    services.comment_resolve(comment=comment, actor=request.user, resolved=request.POST.get("resolved") != "0")
    # A comment on the revision before is resolved from the next one's page, and goes back there.
    return _back(request, f"{reverse('workflows:review', args=[comment.version_id])}#comment-{comment.pk}")


def _back(request: AuthedHttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def asset_check_out(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = asset_selectors.access_asset(request.user, uid, "add_version")
    try:
        lock = services.asset_check_out(asset=asset, actor=request.user, note=request.POST.get("note", "")[:200])
    except LockHeld as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You have checked “{asset.title}” out until {lock.expires_at:%Y-%m-%d %H:%M} UTC.")
    return _back(request, asset.get_absolute_url())


@login_required
@require_POST
def asset_check_in(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = asset_selectors.access_asset(request.user, uid)
    lock = selectors.lock_of(asset)
    try:
        if lock is not None and lock.holder_id != request.user.pk:
            services.lock_break(asset=asset, actor=request.user)
            messages.success(request, f"The check-out by {lock.holder.display_name} was broken.")
        else:
            services.asset_check_in(asset=asset, actor=request.user)
            messages.success(request, f"“{asset.title}” is checked in.")
    except LockHeld as exc:
        messages.error(request, str(exc))
    return _back(request, asset.get_absolute_url())


@login_required
def asset_history(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = asset_selectors.access_asset(request.user, uid)
    timeline = selectors.timeline_of(request.user, asset)
    return render(request, "workflows/history.html", {
        "title": f"History of {asset.title}", "asset": asset, **timeline,
        "can_restore": authority.can(request.user, "add_version", asset),
    })


@login_required
@require_POST
def version_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.access_version(request.user, pk, "restore")
    try:
        restored = services.version_restore(version_id=version.pk, actor=request.user)
    except (DuplicateFile, VersionRefused) as exc:
        messages.error(request, str(exc) if isinstance(exc, VersionRefused)
                       else "That revision's file is already the current one.")
        return redirect("workflows:history", version.asset.uid)
    messages.success(request, f"v{version.number} was restored as v{restored.number} (a new draft).")
    return redirect("workflows:history", version.asset.uid)


@login_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), 50).get_page(request.GET.get("page"))
    pref = getattr(request.user, "notification_preference", None)
    return render(request, "workflows/notifications.html", {
        "title": "Notifications", "page_obj": page, "notifications": page.object_list,
        "groups": [{"label": label, "items": items, "unread": [n.pk for n in items if n.read_at is None]}
                   for label, items in selectors.notification_groups(page.object_list)],
        "preference_form": PreferenceForm(initial={"email": pref.email if pref else "immediate"}),
    })


@login_required
@require_POST
def notifications_read(request: AuthedHttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(actor=request.user, ids=ids)
    return _back(request, reverse("workflows:notifications"))


@login_required
@require_POST
def notification_preference(request: AuthedHttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("Unknown choice.")
    services.notification_preference_set(actor=request.user, email=form.cleaned_data["email"])
    messages.success(request, "Your email preference was saved.")
    return redirect("workflows:notifications")
