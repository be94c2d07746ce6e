"""How long a recording lasts, read from its own headers (mutagen), never from the client."""

from __future__ import annotations

import math
from typing import IO

import mutagen


def duration_seconds(file: IO[bytes]) -> float | None:
    """The length in seconds, to the millisecond; None when the headers do not say."""
    file.seek(0)
    try:
        parsed = mutagen.File(file)
    except (mutagen.MutagenError, ValueError, OverflowError, EOFError):
        return None
    length = getattr(getattr(parsed, "info", None), "length", None)
    if not isinstance(length, int | float) or not math.isfinite(length) or length <= 0:
        return None
    return round(float(length), 3)
