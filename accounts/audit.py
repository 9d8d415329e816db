"""The audit trail: writing it (`record`) and reading it as sentences (`describe`).

Services call `record`; nothing else writes AuditEvent. Each app registers a sentence for every
verb it records, from its `<app>/audit_text.py` in `AppConfig.ready()` (accounts imports no other
app, as with the permission policies). `describe` turns an event into what people read: a sentence
("Ann approved v3 of “Harbour at dawn” (step 2, Brand sign-off)"), its details as labelled fields
and a label for the action; never the verb code or a dict.

A sentence is a template: `{actor}` (the actor's display name, or "The system"), `{object}` (the
object's name when it was recorded) and `{key}` for any key of the event's data (shown as its
field shows it, e.g. a role's label). A part in square
brackets is left out when a placeholder in it is empty: "v{version}[ (step {step})]".
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts.models import AuditEvent, User


def record(verb: str, *, actor: User | None, target: models.Model | None = None, **data: Any) -> AuditEvent:
    """Append one audit event; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        # People are named as everywhere else on the pages, by their display name.
        target_repr=str(target.display_name if isinstance(target, User) else target)[:255] if target is not None
        else "",
        data=data,
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The history of one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")


# --- sentences -----------------------------------------------------------------------------

# How a field's value is shown: text (lists joined), a count, bytes, a moment, yes/no, changes
# ({field: [old, new]}), or a mapping of names to values.
KINDS = ("text", "bytes", "when", "yesno", "changes", "mapping")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"
    choices: Mapping[str, str] | None = None  # stored value -> what people read (a TextChoices' labels)

    def show(self, value: Any) -> str:
        if self.choices is not None and isinstance(value, str) and value in self.choices:
            return str(self.choices[value])
        if self.choices is not None and isinstance(value, list | tuple):
            return ", ".join(self.show(item) for item in value if item not in (None, ""))
        return format_value(value, self.kind)


@dataclass(frozen=True)
class Sentence:
    verb: str
    template: str | Callable[[Any], str]
    label: str
    group: str
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Described:
    """An event as people read it."""

    text: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    action_label: str = ""


_SENTENCES: dict[str, Sentence] = {}


FieldSpec = tuple[Any, ...]  # (data key, label) or (data key, label, kind or choices)


def register(verb: str, sentence: str | Callable[[Any], str], *, label: str, group: str,
             fields: Iterable[FieldSpec] = ()) -> None:
    """Say how events with `verb` read. `fields` are (data key, label[, kind or choices]) in the order shown.

    A callable sentence gets the event's values (formatted, with `actor` and `object`) and the raw
    data under `data`, for wording that depends on a value.
    """
    specs = tuple(Field(spec[0], spec[1], choices=spec[2]) if len(spec) == 3 and isinstance(spec[2], Mapping)
                  else Field(*spec) for spec in fields)  # type: ignore[arg-type]
    for spec in specs:
        if spec.kind not in KINDS:
            raise ValueError(f"{verb}: unknown field kind {spec.kind!r}")
    _SENTENCES[verb] = Sentence(verb, sentence, label, group, specs)


def registered() -> dict[str, Sentence]:
    """Every verb with a sentence."""
    return dict(_SENTENCES)


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions people filter by: (group, [(verb, label), ...]), groups and labels in alphabetical order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for sentence in _SENTENCES.values():
        groups.setdefault(sentence.group, []).append((sentence.verb, sentence.label))
    return [(group, sorted(choices, key=lambda c: c[1])) for group, choices in sorted(groups.items())]


def action_label(verb: str) -> str:
    sentence = _SENTENCES.get(verb)
    return sentence.label if sentence else _generic_label(verb)


def actor_name(event: AuditEvent) -> str:
    # An actor whose account was deleted leaves no name behind (the column is SET_NULL).
    return event.actor.display_name if event.actor_id and event.actor else "The system"


def object_name(event: AuditEvent) -> str:
    if event.target_type_id:
        return event.target_repr or "an item that no longer exists"
    return event.target_repr


def describe(event: AuditEvent) -> Described:
    """The event as a sentence, its details as labelled fields, and its action's label."""
    data = event.data if isinstance(event.data, dict) else {}
    sentence = _SENTENCES.get(event.verb)
    if sentence is None:
        return _describe_unknown(event, data)
    values = _Values(data, actor=actor_name(event), obj=object_name(event))
    for spec in sentence.fields:  # a placeholder reads as its field does: "{role}" is "Brand manager"
        if spec.key in data:
            values[spec.key] = spec.show(data[spec.key])
    text = sentence.template(values) if callable(sentence.template) else _render(sentence.template, values)
    shown = []
    for spec in sentence.fields:
        value = spec.show(data.get(spec.key))
        if value:
            shown.append((spec.label, value))
    return Described(_tidy(text), shown, sentence.label)


class _Values(dict):
    """Template values: data formatted for a sentence, plus actor and object; missing keys are empty."""

    def __init__(self, data: Mapping[str, Any], *, actor: str, obj: str):
        super().__init__({key: format_value(value) for key, value in data.items()})
        self["actor"] = actor
        self["object"] = obj
        self["data"] = data

    def __missing__(self, key: str) -> str:
        return ""


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _render(template: str, values: Mapping[str, Any]) -> str:
    """Fill the placeholders; a [bracketed part] is kept only when every placeholder in it has a value."""
    out, i = [], 0
    while i < len(template):
        char = template[i]
        if char == "[":
            depth, j = 1, i + 1
            while j < len(template) and depth:
                depth += {"[": 1, "]": -1}.get(template[j], 0)
                j += 1
            inner = template[i + 1:j - 1]
            own = re.sub(r"\[.*\]", "", inner)  # placeholders of nested parts decide for themselves
            if all(str(values[name]) for name in _PLACEHOLDER.findall(own)):
                out.append(_render(inner, values))
            i = j
            continue
        out.append(char)
        i += 1
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), "".join(out))


def _tidy(text: str) -> str:
    # Not capitalised: a sentence starts with the actor's name, and a user name is written as it is.
    return re.sub(r"\s{2,}", " ", text).strip()


# --- values --------------------------------------------------------------------------------

_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")


def format_value(value: Any, kind: str = "text") -> str:
    """A data value as a person reads it: never a Python repr, a dict or a list literal."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if kind == "yesno" or isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "bytes" and isinstance(value, int | float):
        return str(filesizeformat(value))
    if kind == "changes" and isinstance(value, dict):
        return "; ".join(_change(name, change) for name, change in value.items())
    if isinstance(value, dict):
        return "; ".join(f"{humanize_key(k)}: {format_value(v) or '—'}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(part for part in (format_value(v) for v in value) if part)
    if isinstance(value, datetime | date):
        return _moment(value)
    if isinstance(value, str) and (kind == "when" or _ISO_MOMENT.match(value)):
        return _moment_text(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _change(name: str, change: Any) -> str:
    if isinstance(change, list | tuple) and len(change) == 2:
        old, new = (format_value(v) for v in change)
        return f"{humanize_key(name)}: {_quoted(old)} → {_quoted(new)}"
    return f"{humanize_key(name)}: {format_value(change) or 'changed'}"


def _quoted(text: str) -> str:
    return f"“{text}”" if text else "empty"


def _moment_text(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return _moment(moment.date() if len(text) == 10 else moment)


def _moment(value: date) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.day} {value:%b %Y, %H:%M}"
    return f"{value.day} {value:%b %Y}"


def humanize_key(key: str) -> str:
    return key.replace("_", " ").strip().capitalize() or key


# --- events without a sentence -------------------------------------------------------------

# Keys that only machines read: ids of rows the sentence already names, and content hashes.
_INTERNAL = re.compile(r"(^id$|_id$|^sha256$)")


def _generic_label(verb: str) -> str:
    # An old row whose verb no code records any more: its last two words, never the dotted code.
    words = [part.replace("_", " ") for part in verb.split(".")[-2:] if part]
    return " ".join(words).capitalize() or "Something happened"


def _describe_unknown(event: AuditEvent, data: Mapping[str, Any]) -> Described:
    label = _generic_label(event.verb)
    obj = object_name(event)
    text = f"{actor_name(event)}: {label.lower()}" + (f" — “{obj}”" if obj else "")
    shown = [(humanize_key(key), value) for key, raw in data.items()
             if not _INTERNAL.search(key) and (value := format_value(raw))]
    return Described(_tidy(text), shown, label)
