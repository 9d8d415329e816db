"""The fixity page (/archive/fixity/): runs, one run's problems, and "Run a check now" (admins)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from archive.fixity import selectors, services, tasks
from archive.fixity.forms import FixityRunForm
from archive.models import FixityRun
from dam.errors import StateConflict
from dam.http import AuthedHttpRequest


def _list(request: AuthedHttpRequest, form: FixityRunForm, status: int = 200) -> HttpResponse:
    page = Paginator(selectors.runs_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "archive/fixity/run_list.html",
                  {"title": "Fixity", "page": page, "form": form, "running": selectors.running_run()},
                  status=status)


@login_required
def run_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "view", FixityRun)
    return _list(request, FixityRunForm())


@login_required
@require_POST
def run_start(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", FixityRun)
    form = FixityRunForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        run = services.fixity_run_start(actor=request.user, trigger=FixityRun.Trigger.PERSON,
                                        collection=form.cleaned_data["collection"],
                                        sample=form.cleaned_data["sample"])
    except StateConflict as exc:
        form.add_error(None, str(exc))
        return _list(request, form, status=409)
    tasks.queue_continue(run.pk)
    messages.success(request, "The fixity check has started. This page shows what it finds as it goes; "
                              "admins get a notification if it finds a problem.")
    return redirect(run)


@login_required
def run_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = selectors.access_run(request.user, pk)
    problems = Paginator(selectors.run_problems(run), 100).get_page(request.GET.get("page"))
    title = f"Fixity check of {timezone.localtime(run.started_at):%Y-%m-%d %H:%M}"
    return render(request, "archive/fixity/run_detail.html",
                  {"title": title, "run": run, "problems": problems, "summary": services.summary(run)})
