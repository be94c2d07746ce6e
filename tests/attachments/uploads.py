"""Files to upload, and a multipart GraphQL client as client libraries send it (the GraphQL
multipart request spec: `operations`, `map`, then the file)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.files.storage import storages
from django.test import Client
from PIL import Image

from tests.graphql_client import gql, login

ATTACH_FILE = """
mutation Attach($type: String!, $id: ID!, $field: String!, $file: Upload!, $cmid: String) {
  attachFile(recordType: $type, recordId: $id, field: $field, file: $file,
             clientMutationId: $cmid, description: "at registration") {
    attachment {
      id fileName contentType size sha256 width height durationSeconds createdAt
      thumbnail { url } url
    }
    errors { path code message }
  }
}
"""
REGISTER = """
mutation($input: CaseInput!) { createCase(input: $input) { case { id } errors { code } } }
"""
CASE_FILES = """
query($id: ID!, $seconds: Int) {
  case(id: $id) {
    photoProfileAttachments {
      id fileName contentType width height thumbnail { url } url(expiresInSeconds: $seconds)
    }
    audioMessageAttachments { id contentType url }
  }
}
"""


CHILD = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Amina",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "protectionConcerns": ["separated"],
    "consentToShareWithReferral": True,
}


def token(username: str) -> str:
    value: str = login(username)["accessToken"]
    return value


def register_case(worker_token: str) -> str:
    body = gql(REGISTER, {"input": CHILD}, worker_token)
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def upload(
    access_token: str | None,
    record_id: str,
    field: str,
    content: bytes,
    file_name: str,
    *,
    query: str = ATTACH_FILE,
    cmid: str | None = None,
    record_type: str = "case",
    entry_uid: str | None = None,
) -> Any:
    """The response to one multipart request."""
    variables = {
        "type": record_type,
        "id": record_id,
        "field": field,
        "file": None,
        "cmid": cmid,
    }
    if entry_uid is not None:
        variables["entry"] = entry_uid
    operations = {"query": query, "variables": variables}
    file = io.BytesIO(content)
    file.name = file_name
    headers = {"HTTP_AUTHORIZATION": f"Bearer {access_token}"} if access_token else {}
    return Client().post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.file"]}),
            "0": file,
        },
        **headers,  # type: ignore[arg-type]
    )


def attached(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    payload: dict[str, Any] = response.json()["data"]["attachFile"]
    return payload


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise" and carries a GPS position;
    its left half red, its right half blue."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (12.0, 34.0, 56.0), 3: "E", 4: (7.0, 8.0, 9.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def png(size: tuple[int, int] = (8, 8), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def mp3(size: int = 4096) -> bytes:
    """An ID3-tagged MP3 header followed by silent frames (enough for sniffing and ranges)."""
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    body = (frame * (size // len(frame) + 1))[: size - len(tag)]
    return tag + body


def stored_names() -> list[str]:
    """Every file in the attachment storage, at any depth."""
    storage = storages["attachments"]

    def walk(prefix: str) -> list[str]:
        try:
            directories, files = storage.listdir(prefix)
        except FileNotFoundError:
            return []
        found = [f"{prefix}/{f}".lstrip("/") for f in files]
        for directory in directories:
            found += walk(f"{prefix}/{directory}".lstrip("/"))
        return found

    return walk("")
