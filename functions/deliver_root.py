"""The deliver target's part of the composition root: the delivery use case, and what parking a job sets off.

Built by ``functions.bootstrap`` (which hands over the case store, the takedown records, the gateway, the
publisher and the settings); the deliver target hands over the publisher when a job is parked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.config import Settings

if TYPE_CHECKING:
    from functions.adapters.firestore.stores import CaseStore
    from functions.domain.jobs import DeliveryJob
    from functions.domain.takedown import Takedown
    from functions.services.delivery import Delivery


def delivery(
    cases: CaseStore,
    links: Callable[[str], Sequence[Takedown]],
    clock: Callable[[], datetime],
    bot: Any,
    publisher: Any,
    config: Settings,
) -> Delivery:
    """The delivery use case with this process's pacer; a relay's first contact publishes a card refresh."""
    from functions.services.delivery import Delivery
    from functions.services.pacing import Pacer

    pacer = Pacer(rate_per_second=config.deliver_rate_per_second)
    return Delivery(
        cases, bot, pacer, clock, links=links, relays=cases, events=publisher, reports_topic=config.reports_topic
    )


def parked(job: DeliveryJob, publisher: Any, deliveries_topic: str) -> bool:
    """A job is (being) parked after its last attempt: a conversation message's writer is told, through a job of
    its own on the paced, retried path; True when there is one (raises TransientError when it cannot be
    published: the job is retried). Run both when deliver parks the job and when the parked job comes back from
    the dead-letter topic (Pub/Sub's own dead-lettering runs no hook of ours): the failure job is idempotent by
    its id, so a writer hears it once."""
    from functions.services.relay_delivery import RELAY_KINDS, failure_job

    if job.kind not in RELAY_KINDS:
        return False
    publisher.publish_many(deliveries_topic, [failure_job(job)])
    return True
