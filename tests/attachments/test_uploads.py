"""Uploading over GraphQL multipart: what is stored, and what is refused with nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from PIL import Image

from backend.attachments.models import Attachment
from tests.attachments.uploads import (
    CASE_FILES,
    attached,
    jpeg_with_gps,
    mp3,
    png,
    register_case,
    stored_names,
    token,
    upload,
)
from tests.graphql_client import gql, use_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]


def _download(url: str, **headers: str) -> object:
    return Client().get(url, **headers)  # type: ignore[arg-type]


def _nothing_stored(case_id: str) -> None:
    use_tenant("demo")
    assert not Attachment.objects.filter(record_id=case_id).exists()
    assert stored_names() == []


def test_photo_comes_back_without_location_rotated_with_a_thumbnail() -> None:
    # given a caseworker's new case
    worker = token("cp_worker")
    case_id = register_case(worker)

    # when a phone photo with GPS EXIF and "rotate 90°" is uploaded as photoProfile
    payload = attached(upload(worker, case_id, "photoProfile", jpeg_with_gps(), "IMG_0001.jpg"))

    # then it is stored upright (20 x 40), as JPEG, with no EXIF at all, and a thumbnail
    assert payload["errors"] == []
    attachment = payload["attachment"]
    assert attachment["contentType"] == "image/jpeg"
    assert (attachment["width"], attachment["height"]) == (20, 40)
    assert attachment["fileName"] == "IMG_0001.jpg"
    case = gql(CASE_FILES, {"id": case_id}, worker)["data"]["case"]
    [listed] = case["photoProfileAttachments"]
    assert listed["id"] == attachment["id"]
    response = _download(listed["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(content))
    assert image.size == (20, 40)
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in content
    # the red half of the landscape photo is now on top
    assert image.convert("RGB").getpixel((10, 5))[0] > 200
    assert image.convert("RGB").getpixel((10, 35))[2] > 200
    thumbnail = _download(listed["thumbnail"]["url"])
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (20, 40)


def test_renamed_executable_is_refused_and_nothing_is_stored() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    executable = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"PE\x00\x00" + b"\x00" * 500
    )

    payload = attached(upload(worker, case_id, "photoProfile", executable, "holiday.jpg"))

    assert [e["code"] for e in payload["errors"]] == ["UNSUPPORTED_FILE_TYPE"]
    assert payload["attachment"] is None
    _nothing_stored(case_id)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
        (b"<html><body><script>alert(1)</script></body></html>", "a.png"),
    ],
)
def test_svg_and_markup_are_refused(content: bytes, name: str) -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "photoProfile", content, name))

    assert [e["code"] for e in payload["errors"]] == ["UNSUPPORTED_FILE_TYPE"]
    _nothing_stored(case_id)


def test_a_jpeg_with_a_zip_behind_it_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(1)</script>")
    polyglot = jpeg_with_gps() + archive.getvalue()

    payload = attached(upload(worker, case_id, "photoProfile", polyglot, "photo.jpg"))

    assert [e["code"] for e in payload["errors"]] == ["UNSUPPORTED_FILE_TYPE"]
    _nothing_stored(case_id)


def test_audio_is_refused_in_a_photo_field() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "photoProfile", mp3(), "photo.jpg"))

    assert [e["code"] for e in payload["errors"]] == ["UNSUPPORTED_FILE_TYPE"]


def test_an_oversized_file_is_cut_off_while_streaming_and_nothing_is_stored(
    settings: object,
) -> None:
    settings.ATTACHMENT_MAX_FILE_BYTES = 10_000  # type: ignore[attr-defined]
    worker = token("cp_worker")
    case_id = register_case(worker)

    response = upload(worker, case_id, "audioMessage", mp3(50_000), "consent.mp3")

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "FILE_TOO_LARGE"
    _nothing_stored(case_id)


def test_a_decompression_bomb_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 megapixels in a few kB

    payload = attached(upload(worker, case_id, "photoProfile", bomb.getvalue(), "bomb.png"))

    assert [e["code"] for e in payload["errors"]] == ["IMAGE_TOO_LARGE"]
    _nothing_stored(case_id)


def test_too_many_files_on_one_record(settings: object) -> None:
    settings.ATTACHMENT_MAX_PER_RECORD = 1  # type: ignore[attr-defined]
    worker = token("cp_worker")
    case_id = register_case(worker)
    assert attached(upload(worker, case_id, "photoProfile", png(), "a.png"))["errors"] == []

    # replacing the single photo takes no more room; a second field's file does
    assert attached(upload(worker, case_id, "photoProfile", png(), "b.png"))["errors"] == []
    payload = attached(upload(worker, case_id, "audioMessage", mp3(), "c.mp3"))

    assert [e["code"] for e in payload["errors"]] == ["TOO_MANY_FILES"]


def test_the_same_client_mutation_id_stores_the_file_once() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    first = attached(upload(worker, case_id, "audioMessage", mp3(), "a.mp3", cmid="offline-1"))
    again = attached(upload(worker, case_id, "audioMessage", mp3(), "a.mp3", cmid="offline-1"))

    assert again["attachment"]["id"] == first["attachment"]["id"]
    use_tenant("demo")
    assert Attachment.objects.filter(record_id=case_id).count() == 1
    assert len(stored_names()) == 1
    history = gql("query($id: ID!) { recordHistory(id: $id) { action } }", {"id": case_id}, worker)
    actions = [entry["action"] for entry in history["data"]["recordHistory"]]
    assert actions.count("attach") == 1


def test_not_an_attachment_field() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "nameFirst", png(), "a.png"))

    assert [e["code"] for e in payload["errors"]] == ["NOT_AN_ATTACHMENT_FIELD"]


def test_an_upload_needs_a_token_and_is_for_attach_file_alone() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    anonymous = upload(None, case_id, "photoProfile", png(), "a.png")
    other = upload(worker, case_id, "photoProfile", png(), "a.png", query="{ __typename }")

    assert anonymous.status_code == 401
    assert other.status_code == 400
    assert other.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    _nothing_stored(case_id)
