"""Per-record lists resolved for a whole page at once: the first record that asks loads the
list for every record of its page, in one query, and the others read the result."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from backend.accounts.models import User
from backend.records.reading import RecordView

Loader = Callable[[User, Sequence[RecordView]], Mapping[uuid.UUID, list[Any]]]


class PageBatch:
    def __init__(self, user: User, views: Sequence[RecordView]) -> None:
        self.user = user
        self.views = views
        self._loaded: dict[str, Mapping[uuid.UUID, list[Any]]] = {}

    def load(self, key: str, loader: Loader, record_id: uuid.UUID) -> list[Any]:
        if key not in self._loaded:
            self._loaded[key] = loader(self.user, self.views)
        return self._loaded[key].get(record_id, [])
