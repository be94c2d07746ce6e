"""Recordings carry their duration, read from the file; a tenant chooses the types each
attachment field type accepts, among those the server checks."""

from __future__ import annotations

import io
import wave

import pytest

from tests.attachments.uploads import (
    attached,
    jpeg_with_gps,
    mp3,
    png,
    register_case,
    stored_names,
    token,
    upload,
)
from tests.graphql_client import gql

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

SETTINGS = "{ tenantSettings { attachmentTypes } }"
UPDATE = """
mutation($types: JSON) {
  updateTenantSettings(input: {attachmentTypes: $types}) {
    tenantSettings { attachmentTypes } errors { path code message }
  }
}
"""
DEFAULT_AUDIO = ["audio/aac", "audio/amr", "audio/mp4", "audio/mpeg", "audio/ogg"]


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM recording of silence, as the stdlib writes it."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def _types(admin: str, types: object) -> dict[str, object]:
    payload: dict[str, object] = gql(UPDATE, {"types": types}, admin)["data"][
        "updateTenantSettings"
    ]
    return payload


def test_an_mp3_recording_carries_its_duration() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    frames = 100  # MPEG-1 layer III at 44.1 kHz: 1152 samples a frame

    payload = attached(upload(worker, case_id, "audioMessage", mp3(10 + 417 * frames), "a.mp3"))

    assert payload["errors"] == []
    assert payload["attachment"]["durationSeconds"] == pytest.approx(frames * 1152 / 44100, 0.01)


def test_a_photo_has_no_duration() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "photoProfile", png(), "a.png"))

    assert payload["attachment"]["durationSeconds"] is None


def test_wav_is_refused_until_the_tenant_accepts_it_then_carries_its_duration() -> None:
    worker, admin = token("cp_worker"), token("admin")
    case_id = register_case(worker)
    recording = wav(1.5)

    before = attached(upload(worker, case_id, "audioMessage", recording, "consent.wav"))
    changed = _types(admin, {"audio": [*DEFAULT_AUDIO, "audio/x-wav"]})
    after = attached(upload(worker, case_id, "audioMessage", recording, "consent.wav"))

    assert [e["code"] for e in before["errors"]] == ["UNSUPPORTED_FILE_TYPE"]
    assert changed["errors"] == []
    assert after["errors"] == []
    assert after["attachment"]["contentType"] == "audio/x-wav"
    assert after["attachment"]["durationSeconds"] == 1.5


def test_a_tenant_may_narrow_a_field_types_list() -> None:
    worker, admin = token("cp_worker"), token("admin")
    case_id = register_case(worker)

    assert _types(admin, {"photo": ["image/png"]})["errors"] == []
    jpeg = attached(upload(worker, case_id, "photoProfile", jpeg_with_gps(), "a.jpg"))
    still = attached(upload(worker, case_id, "audioMessage", mp3(), "a.mp3"))

    assert [e["code"] for e in jpeg["errors"]] == ["UNSUPPORTED_FILE_TYPE"]
    assert still["errors"] == []
    assert len(stored_names()) == 1


def test_the_settings_show_every_field_types_accepted_types() -> None:
    admin = token("admin")
    _types(admin, {"signature": ["image/png"]})

    shown = gql(SETTINGS, token=admin)["data"]["tenantSettings"]["attachmentTypes"]

    assert shown["signature"] == ["image/png"]
    assert shown["audio"] == DEFAULT_AUDIO
    assert set(shown) == {"photo", "signature", "audio", "document"}


def test_types_the_server_does_not_check_are_refused_with_their_paths() -> None:
    admin = token("admin")

    refused = _types(
        admin,
        {
            "audio": ["audio/mpeg", "application/x-msdownload", "audio/mpeg"],
            "photo": ["image/svg+xml"],
            "video": ["video/mp4"],
            "document": [],
        },
    )

    assert refused["tenantSettings"] is None
    assert [(e["path"], e["code"]) for e in refused["errors"]] == [  # type: ignore[attr-defined]
        (["input", "attachmentTypes", "audio", "1"], "INVALID_ATTACHMENT_TYPES"),
        (["input", "attachmentTypes", "audio", "2"], "INVALID_ATTACHMENT_TYPES"),
        (["input", "attachmentTypes", "photo", "0"], "INVALID_ATTACHMENT_TYPES"),
        (["input", "attachmentTypes", "video"], "INVALID_ATTACHMENT_TYPES"),
        (["input", "attachmentTypes", "document"], "INVALID_ATTACHMENT_TYPES"),
    ]
    shown = gql(SETTINGS, token=admin)["data"]["tenantSettings"]["attachmentTypes"]
    assert shown["audio"] == DEFAULT_AUDIO
