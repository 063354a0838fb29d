"""Composite indexes and TTL fields the code relies on (Terraform must declare each)."""

from __future__ import annotations

from typing import Final, NamedTuple


class IndexSpec(NamedTuple):
    """One composite index: the collection (or group), its scope and ordered fields."""

    collection: str
    scope: str
    fields: tuple[tuple[str, str], ...]


COLLECTIONS: Final[tuple[str, ...]] = (
    "reports",
    "events",
    "reporters",
    "content",
    "users",
    "sessions",
    "items",
    "albums",
    "groups",
    "staff",
    "invites",
    "cards",
    "notices",
    "fanouts",
    "attempts",
    "ticks",
    "group_notices",
    "sent_messages",
    "reporter_quotas",
    "relay_refs",
    "replies",
    "reply_heads",
    "quotas",
    "export_jobs",
    "console_opened",
)

COMPOSITE_INDEXES: Final[tuple[IndexSpec, ...]] = (
    # /my: a reporter's cases, newest first.
    IndexSpec("reporters", "COLLECTION_GROUP", (("user_id", "ASCENDING"), ("created_at", "DESCENDING"))),
    # tick: joined reporters whose event was not fanned out yet.
    IndexSpec("reporters", "COLLECTION_GROUP", (("event_pending", "ASCENDING"), ("created_at", "ASCENDING"))),
    # tick: cases whose creation event was not fanned out yet.
    IndexSpec("reports", "COLLECTION", (("fanout_pending", "ASCENDING"), ("created_at", "ASCENDING"))),
    # /stats, /export of some regions: cases of a region created in a period.
    IndexSpec("reports", "COLLECTION", (("region", "ASCENDING"), ("created_at", "ASCENDING"))),
    # /queue and the digest of a regional officer: open cases of a region.
    IndexSpec("reports", "COLLECTION", (("region", "ASCENDING"), ("status", "ASCENDING"))),
    # tick, SLA: urgent cases still new after the escalation threshold.
    IndexSpec(
        "reports", "COLLECTION", (("status", "ASCENDING"), ("severity", "ASCENDING"), ("created_at", "ASCENDING"))
    ),
    # tick, reminders: cases still new that crossed the take threshold since the last sweep.
    IndexSpec("reports", "COLLECTION", (("status", "ASCENDING"), ("created_at", "ASCENDING"))),
    # tick, reminders: cases in progress whose last change crossed the stale threshold since the last sweep.
    IndexSpec("reports", "COLLECTION", (("status", "ASCENDING"), ("updated_at", "ASCENDING"))),
    # tick, retention: closed cases whose closing time passed the retention period, oldest first.
    IndexSpec("reports", "COLLECTION", (("status", "ASCENDING"), ("closed_at", "ASCENDING"))),
    # tick, the child's first-contact deadline: children's requests for an adult created since a moment.
    IndexSpec("reports", "COLLECTION", (("child_request", "ASCENDING"), ("created_at", "ASCENDING"))),
    # the console's queue: open cases by severity, oldest first, paged by cursor; and with one more equality.
    *(
        IndexSpec(
            "reports",
            "COLLECTION",
            (
                *(((first, "ASCENDING"),) if first else ()),
                ("status", "ASCENDING"),
                ("severity", "ASCENDING"),
                ("created_at", "ASCENDING"),
                ("__name__", "ASCENDING"),
            ),
        )
        for first in ("", "region", "category", "assignee")
    ),
)

TTL_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("sessions", "expires_at"),
    ("items", "expires_at"),
    ("albums", "expires_at"),
    ("invites", "expires_at"),
    ("notices", "expires_at"),
    ("fanouts", "expires_at"),
    ("attempts", "expires_at"),
    ("ticks", "expires_at"),
    ("group_notices", "expires_at"),
    ("users", "expires_at"),  # reporter profiles, after PROFILE_RETENTION_DAYS without activity
    ("reporter_quotas", "expires_at"),
    ("relay_refs", "expires_at"),
    ("replies", "expires_at"),
    ("reply_heads", "expires_at"),
    ("quotas", "expires_at"),
    ("export_jobs", "expires_at"),
    ("console_opened", "expires_at"),
)
