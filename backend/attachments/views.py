"""GET /attachments/<signed link>: the file, if the link's user may read it now.

Answers as a download (Content-Disposition: attachment) with the sniffed type and nosniff,
never cached by shared caches, and serves byte ranges (audio players seek with them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson
from django.core.files import File
from django.core.files.storage import Storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from backend.attachments.downloads import DownloadRefused, open_download
from backend.attachments.links import LinkRefused, verify_download
from backend.attachments.storage import attachment_storage
from backend.error_codes import ErrorCode

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def refusal(status: int, code: ErrorCode, message: str) -> HttpResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single satisfiable `bytes=` range; None when there is none."""
    match = _RANGE.match(header.strip())
    if match is None or size == 0:
        return None
    start, end = match.groups()
    if not start:
        if not end:
            return None
        first, last = max(0, size - int(end)), size - 1
    else:
        first = int(start)
        last = min(int(end), size - 1) if end else size - 1
    if first > last or first >= size:
        return None
    return first, last


def _ranged(file: File, first: int, last: int) -> Iterator[bytes]:
    file.seek(first)
    remaining = last - first + 1
    try:
        while remaining > 0:
            chunk = file.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


def download_headers(response: HttpResponseBase, file_name: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(True, file_name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Accept-Ranges"] = "bytes"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        grant = verify_download(token)
        if grant.variant not in ("file", "thumbnail"):
            raise LinkRefused("This download link is not valid.")
        found = open_download(grant)
    except LinkRefused as error:
        return refusal(403, ErrorCode.FORBIDDEN, str(error))
    except DownloadRefused as error:
        return refusal(403, ErrorCode.FORBIDDEN, str(error))
    return serve(
        request, attachment_storage(), found.storage_name, found.content_type, found.file_name
    )


def serve(
    request: HttpRequest, storage: Storage, storage_name: str, content_type: str, file_name: str
) -> HttpResponseBase:
    """A stored file as a download, whole or the byte range asked for."""
    size = storage.size(storage_name)
    file = storage.open(storage_name, "rb")
    header = request.headers.get("Range")
    if header:
        span = _byte_range(header, size)
        if span is None:
            file.close()
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return download_headers(refused, file_name)
        first, last = span
        partial = StreamingHttpResponse(
            _ranged(file, first, last), status=206, content_type=content_type
        )
        partial["Content-Range"] = f"bytes {first}-{last}/{size}"
        partial["Content-Length"] = str(last - first + 1)
        return download_headers(partial, file_name)
    response = FileResponse(file, content_type=content_type)
    response["Content-Length"] = str(size)
    return download_headers(response, file_name)
