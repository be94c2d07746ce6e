"""GET /exports/<signed link>: an export's file, for the user who asked for it, until it
expires. The link mechanism and the response are the attachments' (links.py, views.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from backend.attachments.links import LinkRefused, verify_download
from backend.attachments.storage import attachment_storage
from backend.attachments.views import refusal, serve
from backend.error_codes import ErrorCode
from backend.exports.services import DownloadRefused, open_export_download


@require_GET
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        grant = verify_download(token)
        if grant.variant != "export":
            raise LinkRefused("This download link is not valid.")
        found = open_export_download(grant)
    except (LinkRefused, DownloadRefused) as error:
        return refusal(403, ErrorCode.FORBIDDEN, str(error))
    return serve(
        request, attachment_storage(), found.storage_name, found.content_type, found.file_name
    )
