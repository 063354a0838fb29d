"""Publishing events and jobs to Pub/Sub topics."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from google.api_core import exceptions as gexc
from google.cloud.pubsub_v1 import PublisherClient
from google.cloud.pubsub_v1.types import BatchSettings
from pydantic import BaseModel

from functions import topology
from functions.errors import TransientError

_FAILURES: Final = (gexc.GoogleAPICallError, gexc.RetryError, TimeoutError)


class PubSubPublisher:
    """Publishes pydantic models as JSON messages; waits for the server's acknowledgement."""

    def __init__(self, project: str, timeout: float) -> None:
        self.project = project
        self.timeout = timeout
        self.client = PublisherClient(batch_settings=BatchSettings(max_latency=0.001, max_messages=100))

    def publish(self, topic: str, message: BaseModel, **attributes: str) -> str:
        """Publish one model as JSON (see publish_data)."""
        return self.publish_data(topic, message.model_dump_json().encode(), **attributes)

    def publish_json(self, topic: str, data: dict[str, Any], **attributes: str) -> str:
        """Publish one JSON object."""
        return self.publish_data(topic, json.dumps(data, default=str).encode(), **attributes)

    def publish_data(self, topic: str, data: bytes, **attributes: str) -> str:
        """Publish one message and return its id.

        Args:
            topic: the topic id (not the full path).
            data: the message data (JSON).
            attributes: string attributes (type, ids) for filtering and tracing.

        Returns:
            The Pub/Sub message id.
        """
        topology.check_publish(topic)
        path = self.client.topic_path(self.project, topic)
        try:
            future = self.client.publish(path, data, **attributes)
            return str(future.result(timeout=self.timeout))
        except _FAILURES as error:
            raise TransientError(f"publish to {topic}: {type(error).__name__}") from error
        except Exception as error:  # futures raise the library's own timeout and cancellation types
            raise TransientError(f"publish to {topic}: {type(error).__name__}") from error

    def publish_many(self, topic: str, messages: Sequence[BaseModel]) -> None:
        """Publish several messages concurrently and wait until the server has every one."""
        topology.check_publish(topic)
        path = self.client.topic_path(self.project, topic)
        try:
            futures = [self.client.publish(path, message.model_dump_json().encode()) for message in messages]
            for future in futures:
                future.result(timeout=self.timeout)
        except Exception as error:  # any failure: the caller is retried and re-publishes (consumers dedupe)
            raise TransientError(f"publish to {topic}: {type(error).__name__}") from error
