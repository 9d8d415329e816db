"""How saved searches' audit events read."""
from __future__ import annotations

from accounts.audit import register


def register_all() -> None:
    group = "Saved searches"
    register("assets.saved_search.created", "{actor} saved the search “{object}”[ and shared it with {shared_with}]",
             label="Search saved", group=group,
             fields=[("shared_with", "Shared with"), ("notify", "E-mail about new matches", "yesno")])
    register("assets.saved_search.deleted", "{actor} deleted the saved search “{name}”",
             label="Saved search deleted", group=group)
    register("assets.saved_search.notified", "{actor} told the owner of “{object}” of {new} new matches",
             label="New matches announced", group=group,
             fields=[("new", "New matches"), ("emailed", "By e-mail", "yesno")])
