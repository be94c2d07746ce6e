"""What the forms app announces, so that apps further up (the search index) react to a new
published configuration without forms importing them."""

from __future__ import annotations

import django.dispatch

# Sent inside the publishing transaction when the set of published forms of a tenant
# changed (a version published, a form retired): `tenant`.
forms_published = django.dispatch.Signal()
