"""What the records app announces, so that apps further up (notifications, and later search
and sync) react to a change without records importing them."""

from __future__ import annotations

import django.dispatch

# Sent inside the writing transaction, after a record's form values changed:
# `record` (the saved Record) and `actor` (the User who changed it).
record_changed = django.dispatch.Signal()

# Sent by the revision writer inside the writing transaction after every write of a record,
# whatever its source (create, update, workflow step, sync, import): `record`.
record_written = django.dispatch.Signal()
