"""The vocabularies the platform fixes, as GraphQL enums.

Each mirrors the stored values (a test checks them against the models); vocabularies that
tenants configure (approval types, workflow stages, lookups) stay strings.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="How a record moves between users.")
class TransitionKind(Enum):
    ASSIGNMENT = "assignment"
    REFERRAL = "referral"
    TRANSFER = "transfer"
    TRANSFER_REQUEST = "transfer_request"


@strawberry.enum(description="Where a transition stands.")
class TransitionStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DONE = "done"
    REVOKED = "revoked"


@strawberry.enum(description="Where an approval request stands.")
class ApprovalStatus(Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


@strawberry.enum(description="A record's lifecycle: open until closed; reopened after that.")
class RecordState(Enum):
    OPEN = "open"
    CLOSED = "closed"
    REOPENED = "reopened"


@strawberry.enum(description="Where a change to a record came from.")
class ChangeSource(Enum):
    WEB = "web"
    SYNC = "sync"
    IMPORT = "import"
    API = "api"
    SYSTEM = "system"


@strawberry.enum(description="How a record was accessed.")
class AccessAction(Enum):
    READ = "read"
    LIST = "list"
    HISTORY = "history"
    DOWNLOAD = "download"
    EXPORT = "export"
