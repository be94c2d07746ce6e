"""The garbage collector of a web worker, set for serving requests.

A compiled tenant schema, the Django app registry and the form configurations are hundreds
of thousands of long-lived objects; with CPython's defaults, a page of records (tens of
thousands of fresh dicts) triggers collections that scan them again and again: about 15 ms of
a 50-case list went to the collector. Once the worker has warmed up, `settle` moves what
lives then into the permanent generation (`gc.freeze`), which collections skip, and lets the
young generation grow to GC_YOUNG_THRESHOLD objects (CPython's default is 700) before it
is collected. Called again after a schema compiled in the background."""

from __future__ import annotations

import gc

from django.conf import settings


def settle() -> None:
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(settings.GC_YOUNG_THRESHOLD, older, oldest)
