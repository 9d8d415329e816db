"""The serialization of a backup's rows: Django's JSON Lines, with times kept to the microsecond.

Django's JSON encoder cuts times to milliseconds (ECMA-262's format); a backup must give back the times
it was given, or the order of events written in the same millisecond and every stored timestamp would
change on restore. The rows are read back by Django's own `jsonl` deserializer, which parses both forms.
"""
from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer as JsonlDeserializer
from django.core.serializers.jsonl import Serializer as JsonlSerializer

NAME = "dam_backup_rows"


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JsonlSerializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # django-stubs omit this hook of the serializers
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = JsonlDeserializer
