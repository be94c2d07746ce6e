"""A warmed-up worker's collector skips what lived at warm-up and collects young objects
less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from django.test import override_settings

from backend.collector import settle


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()  # an earlier test's background compile may have settled this process
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_settle_freezes_what_lives_and_raises_the_young_threshold() -> None:
    kept = [{"n": n} for n in range(1000)]
    assert gc.get_freeze_count() == 0
    with override_settings(GC_YOUNG_THRESHOLD=4321):
        settle()

    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[0] == 4321
