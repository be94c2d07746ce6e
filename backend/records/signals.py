"""What the records app announces, so that apps further up (notifications, and later search
and sync) react to a change without records importing them."""

from __future__ import annotations

import django.dispatch

# Sent inside the writing transaction, after a record's form values changed:
# `record` (the saved Record) and `actor` (the User who changed it).
record_changed = django.dispatch.Signal()
