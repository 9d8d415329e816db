"""The asset, history and term pages tell their events in sentences; no one sees an event code there."""
from __future__ import annotations

import re

from django.urls import reverse

from accounts import audit
from taxonomy import services as taxonomy_services
from taxonomy.models import Vocabulary
from tests.factories import make_asset, make_term

CODE = re.compile(r"\b(accounts|assets|taxonomy|workflows|distribution|archive)\.[a-z_]+\.[a-z_]+\b")


def test_asset_and_history_pages_show_sentences_not_codes(web, people):
    asset = make_asset(people["contributor"], title="Harbour at dawn", approved=True)
    verbs = set(audit.events_for(asset).values_list("verb", flat=True))
    assert "workflows.version.approved" in verbs
    history = reverse("workflows:history", args=[asset.uid])
    pages = [("viewer", f"/assets/{asset.uid}/"), ("editor", f"/assets/{asset.uid}/"), ("viewer", history),
             ("editor", history), ("admin", history)]
    for role, url in pages:  # the history page is for those who see the workflow; the asset page for all
        page = web(role).get(url).content.decode()
        assert "approved v1 of “Harbour at dawn”" in page, (role, url)
        assert not CODE.search(page), (role, url, CODE.search(page))


def test_term_page_shows_its_history_in_sentences(web, people):
    vocabulary = Vocabulary.objects.create(uri="https://vocab.example.org/t/", title="Topics")
    term = make_term(vocabulary, "Harbours")
    taxonomy_services.term_update(term=term, actor=people["librarian"], definition="Where boats stay.")
    page = web("librarian").get(f"/vocabulary/terms/{term.pk}/").content.decode()
    assert "librarian edited the term “Harbours”" in page
    assert "Definition: empty → “Where boats stay.”" in page
    assert not CODE.search(page)
