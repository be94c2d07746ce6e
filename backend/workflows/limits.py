"""How long the free text of workflow steps may be: the column where it has a maximum, else a
cap that no real note reaches. Checked by the services, so sync and imports meet it too."""

from __future__ import annotations

from backend.errors import check_text_length

# A TextField has no limit in PostgreSQL; this keeps one note from weighing megabytes.
LONG_TEXT = 10_000

TEXT_LIMITS = {
    "subject": 200,  # Note.subject
    "body": LONG_TEXT,  # Note.body
    "reason": LONG_TEXT,  # Flag.reason, Record.status_reason
    "note": LONG_TEXT,  # Transition.note and .response_note, Flag.removal_note
    "comment": LONG_TEXT,  # Approval.comment
    "name": 200,  # Family.name
}


def check_text(**values: str | None) -> None:
    """TEXT_TOO_LONG for the first value over its field's limit; the keys are the API names."""
    for field, value in values.items():
        check_text_length(field, value, TEXT_LIMITS[field])
