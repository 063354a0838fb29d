"""Terraform grants exactly the edges functions/topology.py declares: who publishes where, who reads what."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.pubsub import PARKED_PUSH
from functions import topology
from functions.config import Settings
from functions.errors import TransientError
from tests.unit.test_infra import block, local, resource


def _terraform_publishers() -> dict[str, set[str]]:
    """Topic key -> the functions Terraform makes publishers (topics' lists plus the consumers' dead letters)."""
    topics: dict[str, Any] = local("topics")
    found = {key: set(topic["publishers"]) for key, topic in topics.items()}
    grant = resource("google_pubsub_topic_iam_member", "consumer_dead_letter")
    assert grant["member"] == "${google_service_account.function[each.value.consumer].member}"
    for key, topic in topics.items():
        found[f"{key}_dead_letter"] = {topic["consumer"]}
    return found


def test_parked_deliveries_come_back_to_deliver_at_parked_as_the_devkit_wires_them() -> None:
    """Pub/Sub's own dead-lettering runs none of our code: the parked jobs are pushed back to deliver's /parked,
    with the live deliveries subscription's push identity (its run.invoker grant on deliver)."""
    topic, target, path = PARKED_PUSH
    parked = resource("google_pubsub_subscription", "parked_deliveries")
    key = topic.removesuffix("-dead-letter")
    assert parked["topic"] == f'${{google_pubsub_topic.dead_letter["{key}"].id}}'
    assert local("topics")[key]["consumer"] == target
    uri = f'${{google_cloudfunctions2_function.main["{target}"].service_config[0].uri}}'
    push = block(parked, "push_config")
    assert push["push_endpoint"] == uri + path
    oidc = block(push, "oidc_token")
    assert oidc == oidc | {"audience": uri, "service_account_email": f'${{google_service_account.push["{key}"].email}}'}
    assert "dead_letter_policy" not in parked  # retried for the retention, never parked on itself
    assert target in topology.publishers(key)  # the failure job goes out on the live topic


def test_topic_publishers_are_the_declared_ones() -> None:
    declared = {key: topology.publishers(key) for key in topology.TOPIC_SETTINGS}
    assert _terraform_publishers() == declared


def test_publisher_grants_are_generated_from_the_lists() -> None:
    grant = resource("google_pubsub_topic_iam_member", "publisher")
    assert "local.topics" in grant["for_each"] and "topic.publishers" in grant["for_each"]
    assert grant["role"] == "roles/pubsub.publisher"


def test_secret_readers_are_the_declared_ones() -> None:
    secrets: dict[str, Any] = local("secrets")
    assert {key: set(secret["readers"]) for key, secret in secrets.items()} == {
        key: topology.readers(key) for key in topology.SECRET_READERS
    }
    accessor = resource("google_secret_manager_secret_iam_member", "accessor")
    assert "secret.readers" in accessor["for_each"]


def test_the_topology_names_real_targets_topics_and_settings() -> None:
    functions: dict[str, Any] = local("functions")
    assert set(topology.TARGETS) == set(functions) == set(topology.PUBLISHES)
    for field in topology.TOPIC_SETTINGS.values():
        assert field in Settings.model_fields
    for readers in topology.SECRET_READERS.values():
        assert set(readers) <= set(topology.TARGETS)


def test_an_undeclared_publish_is_refused_and_recorded() -> None:
    topology.take_violations()
    with topology.acting_as("deliver"):
        with pytest.raises(TransientError, match="may not publish exports"):
            topology.check_publish(Settings().exports_topic)
        topology.check_publish(Settings().deliveries_dead_letter_topic)
    assert topology.take_violations() == ["deliver publish exports"]
