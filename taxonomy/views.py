"""Screens for the vocabulary: browse and search the tree, a page per term, and the librarians' edits."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.audit import events_for
from accounts.permissions import Cap
from dam.http import AuthedHttpRequest
from taxonomy import import_jobs, selectors, services, skos, vocabulary_csv
from taxonomy.api import CONTENT_TYPES, EXTENSIONS
from taxonomy.forms import (
    DeprecateForm,
    ImportForm,
    MergeForm,
    MoveForm,
    TermForm,
    VocabularyEditForm,
    VocabularyForm,
)
from taxonomy.models import Term, Vocabulary, VocabularyImport

TREE_WHOLE_LIMIT = 1500  # above this many terms the tree loads a level at a time


def _form_error(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "view", Vocabulary)
    can_manage = authority.can(request.user, "create", Vocabulary)
    form = VocabularyForm(request.POST or None)
    if request.method == "POST":
        authority.require(request.user, "create", Vocabulary)
        if form.is_valid():
            try:
                vocabulary = services.vocabulary_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Vocabulary “{vocabulary}” was created.")
                return redirect(vocabulary)
    return render(request, "taxonomy/index.html", {
        "title": "Vocabulary", "vocabularies": selectors.vocabularies_visible_to(request.user),
        "can_manage": can_manage, "form": form, "import_form": ImportForm(),
        "can_propose": authority.can(request.user, Cap.SUGGEST_TERMS),
    }, status=400 if form.errors else 200)


@login_required
def vocabulary_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    vocabulary = authority.access(request.user, selectors.vocabularies_visible_to(request.user), pk=pk)
    query = request.GET.get("q", "").strip()
    show_deprecated = request.GET.get("deprecated") == "1"
    matches = selectors.search(request.user, query, vocabulary=vocabulary, include_deprecated=show_deprecated,
                               limit=100) if query else []
    term_count = vocabulary.terms.count()
    # A big thesaurus is shown a level at a time, its branches fetched when opened (term_children).
    lazy = term_count > TREE_WHOLE_LIMIT
    rows: list[selectors.TreeRow] = []
    level_total = 0
    if lazy and not query:
        rows, level_total = selectors.tree_level(vocabulary, request.user, include_deprecated=show_deprecated)
    elif not query:
        rows = selectors.tree(vocabulary, request.user)
        if not show_deprecated:
            rows = [row for row in rows if not row.term.is_deprecated]
    return render(request, "taxonomy/vocabulary.html", {
        "title": vocabulary.title, "vocabulary": vocabulary, "rows": rows, "matches": matches, "query": query,
        "show_deprecated": show_deprecated, "can_manage": authority.can(request.user, "create", vocabulary),
        "can_edit": authority.can(request.user, "edit", vocabulary), "lazy": lazy, "term_count": term_count,
        "more": level_total - len(rows) if lazy else 0,
    })


@login_required
def term_children(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The narrower terms of one term as rows of the vocabulary tree, fetched when a branch is opened."""
    term = authority.access(request.user, selectors.terms_visible_to(request.user), pk=pk)
    depth = int(request.GET["depth"]) + 1 if request.GET.get("depth", "").isdigit() else 1
    rows, total = selectors.tree_level(term.vocabulary, request.user, term,
                                       include_deprecated=request.GET.get("deprecated") == "1")
    return render(request, "taxonomy/_tree_rows.html", {
        "rows": rows, "depth": depth, "more": total - len(rows), "vocabulary": term.vocabulary,
        "can_manage": authority.can(request.user, "create", term.vocabulary),
        "deprecated": request.GET.get("deprecated") == "1"})


@login_required
def vocabulary_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A vocabulary's title, language, description and content analysis's auto-tag threshold."""
    vocabulary = authority.access(request.user, Vocabulary.objects.all(), "edit", pk=pk)
    form = VocabularyEditForm(request.POST or None, instance=Vocabulary.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.vocabulary_update(vocabulary=vocabulary, actor=request.user,
                                       **{name: form.cleaned_data[name] for name in VocabularyEditForm.Meta.fields})
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Vocabulary “{vocabulary}” was saved.")
            return redirect(vocabulary)
    return render(request, "taxonomy/vocabulary_form.html", {
        "title": f"Edit {vocabulary.title}", "vocabulary": vocabulary, "form": form,
    }, status=400 if form.errors else 200)


@login_required
def vocabulary_export(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    vocabulary = authority.access(request.user, Vocabulary.objects.all(), "export", pk=pk)
    fmt = request.GET.get("format", "turtle")
    if fmt not in CONTENT_TYPES:
        fmt = "turtle"
    body = vocabulary_csv.vocabulary_csv(vocabulary) if fmt == "csv" else skos.serialize(vocabulary, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    extension = EXTENSIONS[fmt]
    response["Content-Disposition"] = f'attachment; filename="vocabulary-{vocabulary.pk}.{extension}"'
    return response


@login_required
def vocabulary_import(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "import", Vocabulary)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        csv_scheme = (data["scheme_uri"], data["title"] or data["scheme_uri"], data["language"] or "en") if (
            data["scheme_uri"]) else None
        try:
            job = import_jobs.vocabulary_import_request(
                actor=request.user, fileobj=upload, filename=upload.name, size=upload.size,
                external=data["external"], csv_scheme=csv_scheme, dry_run=data["dry_run"],
                remove_missing=data["remove_missing"])
        except skos.SkosError as exc:  # too large: refused before it is stored
            form.add_error("file", " ".join(p.message for p in exc.problems))
        else:
            return redirect(job)
    # Imports run in the background: the last few are listed so a page left early can be found again.
    recent = VocabularyImport.objects.select_related("created_by").defer("report", "options")[:10]
    return render(request, "taxonomy/import.html", {"title": "Import a vocabulary", "form": form, "recent": recent},
                  status=400 if form.errors else 200)


@login_required
def vocabulary_import_job(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """How far an import got, and its report or refusal at the end; `?partial=1` is the part the page refreshes."""
    authority.require(request.user, "import", Vocabulary)
    job = get_object_or_404(VocabularyImport.objects.select_related("created_by"), pk=pk)
    context = {"job": job, "stalled": import_jobs.stalled(job), "report": job.report,
               "refresh_url": f"{request.path}?partial=1"}
    if request.GET.get("partial"):
        return render(request, "taxonomy/_import_job.html", context)
    title: dict[str, str] = {VocabularyImport.State.DONE: "Import preview" if job.dry_run else "Import finished",
             VocabularyImport.State.REFUSED: "Import refused", VocabularyImport.State.FAILED: "Import failed"}
    return render(request, "taxonomy/import_job.html", {
        **context, "title": title.get(job.state, "Previewing an import" if job.dry_run else "Importing")})


@login_required
def term_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    term = authority.access(request.user, selectors.terms_visible_to(request.user), pk=pk)
    # Asset links are reached through the ORM relation assets declares on Term (taxonomy cannot
    # import assets), and filtered by the one permission authority like every other asset list.
    assets = authority.visible(request.user, term.assets.all()).order_by("-created_at")
    can_manage = authority.can(request.user, "edit", term)
    return render(request, "taxonomy/term.html", {
        "title": term.label, "term": term, **selectors.term_detail(term), "vocabulary": term.vocabulary,
        "narrower": selectors.with_asset_counts(term.narrower.all(), request.user).order_by("label"),
        "assets": assets.select_related("collection")[:24], "asset_count": assets.count(),
        "history": events_for(term)[:30] if can_manage else [], "can_manage": can_manage,
        "merge_form": MergeForm(term=term) if can_manage else None,
        "deprecate_form": DeprecateForm(term=term) if can_manage else None,
    })


@login_required
def term_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    vocabulary = authority.access(request.user, Vocabulary.objects.all(), "create", pk=pk)
    initial = {}
    if request.GET.get("broader", "").isdigit():
        initial["broader"] = Term.objects.filter(pk=int(request.GET["broader"]), vocabulary=vocabulary)
    form = TermForm(request.POST or None, vocabulary=vocabulary, initial=initial)
    clashes: list[selectors.Match] = []
    if request.method == "POST" and form.is_valid():
        # A label another term already has usually means that term is wanted: say so and offer it, and
        # create the new one only when the librarian confirms.
        clashes = [] if request.POST.get("create_anyway") else selectors.terms_with_label(
            request.user, [text for kind, _, text in form.labels() if kind != "hidden"])
    if request.method == "POST" and form.is_valid() and not clashes:
        data = form.cleaned_data
        try:
            term = services.term_create(vocabulary=vocabulary, actor=request.user, labels=form.labels(),
                                        uri=data["uri"] or "", broader=list(data["broader"]),
                                        related=list(data["related"]), notation=data["notation"],
                                        scope_note=data["scope_note"], definition=data["definition"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"“{term}” was added.")
            return redirect(term)
    return render(request, "taxonomy/term_form.html", {"title": "New term", "vocabulary": vocabulary, "form": form,
                                                       "clashes": clashes}, status=400 if form.errors else 200)


@login_required
def term_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    term = authority.access(request.user, Term.objects.select_related("vocabulary"), "edit", pk=pk)
    form = TermForm(request.POST or None, vocabulary=term.vocabulary, term=term)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.term_update(term=term, actor=request.user, labels=form.labels(), broader=list(data["broader"]),
                                 related=list(data["related"]), notation=data["notation"],
                                 scope_note=data["scope_note"], definition=data["definition"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "The term was saved.")
            return redirect(term)
    return render(request, "taxonomy/term_form.html", {"title": f"Edit {term.label}", "vocabulary": term.vocabulary,
                                                       "term": term, "form": form},
                  status=400 if form.errors else 200)


@login_required
def term_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    term = authority.access(request.user, Term.objects.select_related("vocabulary"), "move", pk=pk)
    form = MoveForm(request.POST or None, term=term)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_move(term=term, broader=list(form.cleaned_data["broader"]), actor=request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"“{term}” was moved.")
            return redirect(term)
    return render(request, "taxonomy/term_move.html", {"title": f"Move {term.label}", "term": term,
                                                       "vocabulary": term.vocabulary, "form": form},
                  status=400 if form.errors else 200)


def _confirm(request: AuthedHttpRequest, term: Term, action: str, target: Term | None, **extra: Any) -> HttpResponse:
    """The page that says what a merge or deprecation will change, and asks before doing it."""
    return render(request, "taxonomy/term_confirm.html", {
        "title": f"Merge “{term}” into “{target}”?" if action == "merge" else f"Deprecate “{term}”?",
        "term": term, "vocabulary": term.vocabulary, "action": action, "target": target,
        **selectors.term_change_preview(term, target), **extra,
    })


@login_required
@require_POST
def term_merge(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    term = authority.access(request.user, Term.objects.select_related("vocabulary"), "merge", pk=pk)
    form = MergeForm(request.POST, term=term)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(term)
    if not request.POST.get("confirmed"):
        return _confirm(request, term, "merge", form.cleaned_data["target"])
    try:
        target = services.term_merge(source=term, target=form.cleaned_data["target"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(term)
    messages.success(request, f"“{term}” was merged into “{target}”; its assets were re-tagged.")
    return redirect(target)


@login_required
@require_POST
def term_deprecate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    term = authority.access(request.user, Term.objects.select_related("vocabulary"), "deprecate", pk=pk)
    if request.POST.get("reactivate"):
        services.term_reactivate(term=term, actor=request.user)
        messages.success(request, f"“{term}” is active again.")
        return redirect(term)
    form = DeprecateForm(request.POST, term=term)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(term)
    replacement, retag = form.cleaned_data["replacement"], form.cleaned_data["retag"]
    if not request.POST.get("confirmed"):
        return _confirm(request, term, "deprecate", replacement, retag=bool(replacement and retag))
    try:
        services.term_deprecate(term=term, actor=request.user, replacement=replacement, retag=retag)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{term}” is deprecated.")
    return redirect(term)


@login_required
def autocomplete(request: AuthedHttpRequest) -> HttpResponse:
    """The tagging widget's suggestions, as a small JSON list (the API's /terms/?q= answers the same)."""
    vocabulary = None
    if request.GET.get("vocabulary", "").isdigit():
        vocabulary = authority.access(request.user, Vocabulary.objects.all(), pk=int(request.GET["vocabulary"]))
    matches = selectors.search(request.user, request.GET.get("q", ""), vocabulary=vocabulary, limit=15)
    return JsonResponse({"results": [
        {"id": m.term.pk, "uri": m.term.uri, "label": m.term.label, "matched": m.matched,
         "path": " › ".join(m.path), "vocabulary": m.term.vocabulary.title,
         "url": reverse("taxonomy:term", args=[m.term.pk])} for m in matches]})
