"""Receiving an upload: to a temporary file on disk, counted while it streams in, so that a
file over the limit is cut off at the limit and never held in memory."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """One file of at most `limit` bytes; `refused` says why the upload was stopped."""

    def __init__(self, request: Any, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.files = 0
        self.refused: str | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.files += 1
        if self.files > 1:
            self.refused = "too_many"
            raise StopUpload(connection_reset=True)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.refused = "too_large"
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)
