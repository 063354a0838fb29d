"""The Firestore stores bootstrap builds, composed of the per-aggregate modules of this package."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from google.cloud import firestore

from functions.adapters.firestore.access import CaseAccess
from functions.adapters.firestore.cases import CaseRecords
from functions.adapters.firestore.child_help import ChildHelpRecords
from functions.adapters.firestore.delivery_records import DeliveryRecords
from functions.adapters.firestore.groups import Groups
from functions.adapters.firestore.relays import RelayRecords
from functions.adapters.firestore.releases import ReleaseRecords
from functions.adapters.firestore.replies import Replies
from functions.adapters.firestore.reporter_counts import ReporterCounts
from functions.adapters.firestore.sent_messages import SentMessages
from functions.adapters.firestore.staff import StaffRecords
from functions.adapters.firestore.submissions import Submissions


class FirestoreStore(Submissions, Groups, Replies):
    """The reporter side: profiles, sessions, submissions and groups; every method maps retryable errors to
    TransientError."""

    def __init__(
        self,
        client: firestore.Client,
        session_ttl: timedelta,
        clock: Callable[[], datetime],
        profile_ttl: timedelta = timedelta(days=365),
    ) -> None:
        self.client = client
        self.session_ttl = session_ttl
        self.clock = clock
        self.profile_ttl = profile_ttl


class CaseStore(
    StaffRecords,
    CaseRecords,
    DeliveryRecords,
    SentMessages,
    RelayRecords,
    ChildHelpRecords,
    Groups,
    ReporterCounts,
    Replies,
    CaseAccess,
    ReleaseRecords,
):
    """The staff side: staff, invites, transitions and delivery records (same client and retry rules)."""

    def __init__(self, client: firestore.Client, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock
