"""What a government deployment needs of infra/, checked offline (issue 16): residency, recovery, audit,
alerts that reach someone, a reproducible build and a first apply in one go."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

import pytest

from functions.services.telegram_health import EVENT as HEALTH_EVENT
from scripts import lock_requirements
from scripts.check_tf_schema import DEFAULT_SUBSET, Declared, iter_declared, iter_labelled, parse_tf
from tests.unit.test_infra import (
    INFRA_DIR,
    REPO_ROOT,
    alert_policies,
    block,
    config,
    local,
    log_counters,
    resource,
    resources,
    variable_default,
)

README: Final = INFRA_DIR / "README.md"
# Attributes that place a resource somewhere. Every one must be var.region: the committee decides one location.
LOCATION_KEYS: Final = frozenset({"location", "location_id", "region", "allowed_persistence_regions"})
REGION: Final = "${var.region}"
# What an entry of local.alert_policies may say (the rest is the same for every policy, in the resource).
POLICY_REQUIRED: Final = frozenset({"display_name", "severity", "conditions", "subject", "content"})
POLICY_KEYS: Final = POLICY_REQUIRED | {"enabled", "auto_close"}
CONDITION_REQUIRED: Final = frozenset({"display_name", "filter"})
CONDITION_KEYS: Final = CONDITION_REQUIRED | {
    "threshold",
    "absent",
    "duration",
    "period",
    "aligner",
    "reducer",
    "group_by",
}
# Every address a configuration applied before the repeated resources became one resource with for_each held,
# and where it lives now (infra/moved.tf): an operator's next apply moves them, destroying nothing.
MOVED: Final = {
    **{
        f"google_logging_metric.{key}": f'google_logging_metric.counter["{key}"]'
        for key in (
            "function_errors",
            "telegram_webhook_errors",
            "case_unrouted",
            "link_checks_interrupted",
            "link_checks_refused",
        )
    },
    **{
        f"google_monitoring_alert_policy.{key}": f'google_monitoring_alert_policy.main["{key}"]'
        for key in (
            "webhook_5xx",
            "function_errors",
            "dead_letter",
            "backlog",
            "tick_absent",
            "telegram_pending_updates",
            "telegram_webhook_errors",
            "case_unrouted",
            "webhook_latency",
            "link_checks",
        )
    },
    **{
        f"google_cloud_run_service_iam_member.{name}": f'google_cloud_run_service_iam_member.public_invoker["{key}"]'
        for name, key in (("webhook_public", "telegram_webhook"), ("console_public", "console"))
    },
}


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every attribute inside a parsed body, nested blocks included."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.startswith("__"):
                continue
            yield path, key, inner
            yield from _walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner, path)


def _declared() -> list[Declared]:
    return list(iter_declared(config()))


def _variables() -> dict[str, dict[str, Any]]:
    return {label: body for _, label, body in iter_labelled(config(), "variable")}


def _validation(name: str) -> str:
    body = _variables()[name]
    return " ".join(str(v["condition"]) for v in body.get("validation", []))


# --- data residency -------------------------------------------------------------------------------------------


class TestResidency:
    def test_every_location_follows_var_region(self) -> None:
        wrong = []
        for declared in _declared():
            for path, key, value in _walk(declared.body, f"{declared.type}.{declared.name}"):
                if key in LOCATION_KEYS and value not in (REGION, [REGION]):
                    wrong.append(f"{path}.{key} = {value!r}")
        assert wrong == []

    def test_every_resource_that_takes_a_location_sets_it(self) -> None:
        subset = json.loads(DEFAULT_SUBSET.read_text(encoding="utf-8"))["resource_schemas"]
        unset = []
        for declared in _declared():
            attributes = subset.get(declared.type, {}).get("attributes", {})
            for key in LOCATION_KEYS & set(attributes):
                if (attributes[key].get("optional") or attributes[key].get("required")) and key not in declared.body:
                    unset.append(f"{declared.type}.{declared.name}.{key}")
        assert unset == []

    def test_region_is_the_only_location_variable_and_the_providers_use_it(self) -> None:
        placed = {name for name in _variables() if "region" in name or "location" in name}
        assert placed == {"region"}
        assert "regex" in _validation("region")  # one region, not a multi-region
        for entry in config()["versions.tf"]["provider"]:
            assert entry["google"]["region"] == REGION

    def test_secrets_are_replicated_only_in_the_region(self) -> None:
        replication = block(resource("google_secret_manager_secret", "main"), "replication")
        assert "auto" not in replication
        replicas = block(block(replication, "user_managed"), "replicas")
        assert replicas["location"] == REGION

    @pytest.mark.parametrize("name", ["main", "dead_letter"])
    def test_messages_are_stored_and_carried_only_in_the_region(self, name: str) -> None:
        policy = block(resource("google_pubsub_topic", name), "message_storage_policy")
        assert policy == {"allowed_persistence_regions": [REGION], "enforce_in_transit": True, "__is_block__": True}

    def test_logs_go_to_a_regional_bucket_kept_at_least_a_year_and_not_to_default(self) -> None:
        bucket = resource("google_logging_project_bucket_config", "regional")
        assert bucket["retention_days"] == "${var.log_retention_days}"
        assert "var.log_retention_days >= 365" in _validation("log_retention_days")
        assert variable_default("log_retention_days") >= 365
        sink = resource("google_logging_project_sink", "regional")
        assert "google_logging_project_bucket_config.regional.id" in sink["destination"]
        exclusion = resource("google_logging_project_exclusion", "regional_only")
        assert sink["filter"] == exclusion["filter"] == "${local.regional_log_filter}"
        assert 'log_id("cloudaudit.googleapis.com/data_access")' in local("regional_log_filter")

    def test_the_readme_creates_the_state_bucket_in_the_region_and_names_the_org_policy(self) -> None:
        text = README.read_text(encoding="utf-8")
        create = next(line for line in text.splitlines() if "gcloud storage buckets create" in line)
        assert '--location="$REGION"' in create
        assert "gcp.resourceLocations" in text


# --- recovery and audit ---------------------------------------------------------------------------------------


class TestRecoveryAndAudit:
    def test_daily_backups_beside_point_in_time_recovery(self) -> None:
        schedule = resource("google_firestore_backup_schedule", "daily")
        assert schedule["database"] == "${google_firestore_database.main.name}"
        assert "var.firestore_backup_retention_days" in schedule["retention"]
        assert schedule["daily_recurrence"] == [{"__is_block__": True}]
        database = resource("google_firestore_database", "main")
        assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"

    def test_customer_managed_keys_are_a_decision_made_at_creation(self) -> None:
        database = resource("google_firestore_database", "main")
        cmek = next(entry["cmek_config"] for entry in database["dynamic"] if "cmek_config" in entry)
        assert "var.firestore_kms_key_name" in cmek["for_each"]
        assert variable_default("firestore_kms_key_name") is None
        text = README.read_text(encoding="utf-8")
        assert "## Encryption keys" in text and "## Restore drill" in text

    def test_data_access_is_audited_for_case_data_and_secrets(self) -> None:
        audit = resource("google_project_iam_audit_config", "data_access")
        assert audit["for_each"] == "${local.audited_services}"
        services = set(re.findall(r'"([a-z]+\.googleapis\.com)"', local("audited_services")))
        assert {"datastore.googleapis.com", "secretmanager.googleapis.com"} <= services
        types = {entry["log_type"] for entry in audit["audit_log_config"]}
        assert {"DATA_READ", "DATA_WRITE"} <= types


# --- alerts ---------------------------------------------------------------------------------------------------


class TestAlerts:
    def test_notification_channels_cannot_be_empty(self) -> None:
        variable = _variables()["notification_channels"]
        assert "default" not in variable
        assert "length(var.notification_channels) > 0" in _validation("notification_channels")
        example = parse_tf((INFRA_DIR / "terraform.tfvars.example").read_text(encoding="utf-8"))
        assert len(example["notification_channels"]) >= 1

    def test_every_alert_and_the_budget_notify_the_channels(self) -> None:
        assert [d.name for d in resources("google_monitoring_alert_policy")] == ["main"]
        policy = resource("google_monitoring_alert_policy", "main")
        assert policy["for_each"] == "${merge(local.alert_policies, local.takedown_alert_policies)}"
        assert len(alert_policies()) >= 9
        assert policy["notification_channels"] == "${var.notification_channels}"
        budget = resource("google_billing_budget", "monthly")
        rule = block(budget, "all_updates_rule")
        assert "var.notification_channels" in rule["monitoring_notification_channels"]
        assert budget["provider"] == "${google.billing}"

    def test_alert_entries_name_only_what_the_policy_resource_reads(self) -> None:
        # The resource fills what an entry leaves out (local.condition_defaults, try(..., default)): a misspelt
        # key would be a silent default, so every key must be one it reads, and what has no default must be there.
        assert set(local("condition_defaults")) - {"__is_block__"} <= CONDITION_KEYS
        for key, policy in alert_policies().items():
            assert POLICY_REQUIRED <= set(policy) <= POLICY_KEYS, key
            assert policy["conditions"], key
            for condition in policy["conditions"]:
                assert CONDITION_REQUIRED <= set(condition) <= CONDITION_KEYS, (key, condition)
                needed = "duration" if condition.get("absent") is True else "threshold"
                assert needed in condition, (key, needed)
        for key, counter in log_counters().items():
            assert set(counter) == {"description", "filter"}, key

    def test_the_policy_resource_reads_every_entry_key(self) -> None:
        text = (INFRA_DIR / "monitoring.tf").read_text(encoding="utf-8")
        body = text[text.index('resource "google_monitoring_alert_policy" "main"') :]
        for name in POLICY_KEYS:
            assert f"each.value.{name}" in body, name
        for name in CONDITION_KEYS:
            assert re.search(rf"(conditions|condition_threshold|condition_absent)\.value\.{name}\b", body), name

    def test_the_error_metric_counts_only_the_applications_own_lines(self) -> None:
        metric = log_counters()["function_errors"]["filter"]
        assert 'log_id("run.googleapis.com/stdout")' in metric
        assert 'log_id("run.googleapis.com/stderr")' in metric
        assert "requests" not in metric and "severity>=ERROR" in metric
        counter = resource("google_logging_metric", "counter")
        assert counter["name"] == "${local.prefix}_${each.key}"
        assert counter["for_each"] == "${merge(local.log_counters, local.takedown_log_counters)}"

    def test_a_case_routed_to_nobody_pages(self) -> None:
        assert 'jsonPayload.event="case_unrouted"' in log_counters()["case_unrouted"]["filter"]
        alert = alert_policies()["case_unrouted"]
        assert alert["severity"] == "CRITICAL"
        (condition,) = alert["conditions"]
        assert 'google_logging_metric.counter["case_unrouted"].name' in condition["filter"]
        assert condition["threshold"] == 0

    def test_telegram_health_lines_feed_an_alert(self) -> None:
        metric = resource("google_logging_metric", "telegram_pending_updates")
        assert f'jsonPayload.event="{HEALTH_EVENT}"' in metric["filter"]
        (condition,) = alert_policies()["telegram_pending_updates"]["conditions"]
        assert "google_logging_metric.telegram_pending_updates.name" in condition["filter"]
        assert condition["threshold"] == "${var.telegram_pending_updates_threshold}"

    def test_webhook_p99_latency_is_watched(self) -> None:
        (condition,) = alert_policies()["webhook_latency"]["conditions"]
        assert "run.googleapis.com/request_latencies" in condition["filter"]
        assert condition["aligner"] == "ALIGN_PERCENTILE_99"

    def test_policies_on_log_metrics_wait_for_them(self) -> None:
        policy = resource("google_monitoring_alert_policy", "main")
        assert "${terraform_data.log_metrics_ready}" in policy["depends_on"]
        # ... and the wait covers every log-based metric.
        waited = resource("terraform_data", "log_metrics_ready")["triggers_replace"]
        metrics = {f'${{google_logging_metric.counter["{key}"].id}}' for key in log_counters()}
        metrics |= {f"${{google_logging_metric.{d.name}.id}}" for d in resources("google_logging_metric")}
        metrics.discard("${google_logging_metric.counter.id}")
        assert set(waited) == metrics


# --- reproducible build and first apply -----------------------------------------------------------------------


class TestBuildAndFirstApply:
    def test_providers_are_pinned_exactly_and_locked(self) -> None:
        declared = config()["versions.tf"]["terraform"][0]["required_providers"][0]
        required = {name: spec for name, spec in declared.items() if not name.startswith("__")}
        lock = parse_tf((INFRA_DIR / ".terraform.lock.hcl").read_text(encoding="utf-8"))
        locked = {name.rsplit("/", 1)[1]: body for entry in lock["provider"] for name, body in entry.items()}
        assert set(locked) == set(required)
        for name, spec in required.items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"]), f"{name} is not pinned exactly"
            assert locked[name]["version"] == locked[name]["constraints"] == spec["version"]
            assert locked[name]["hashes"], name
        subset = json.loads(DEFAULT_SUBSET.read_text(encoding="utf-8"))
        assert subset["version"] == required["google"]["version"]

    def test_runtime_dependencies_are_locked_with_hashes(self) -> None:
        source = (REPO_ROOT / "requirements.in").read_text(encoding="utf-8")
        locked = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
        assert lock_requirements.problems(source, locked) == []
        assert set(lock_requirements.pins(source)) < set(lock_requirements.pins(locked))  # transitive ones too
        # The dev install reads the unhashed pins: one hashed file would put all of it in hash-checking mode.
        dev = (REPO_ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
        assert "-r requirements.in" in dev and "requirements.txt" not in dev

    def test_the_lock_check_catches_drift(self) -> None:
        locked = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
        assert lock_requirements.problems("pydantic==0.0.1\n", locked) != []
        unhashed = re.sub(r" \\\n\s+--hash=sha256:[0-9a-f]{64}", "", locked)
        assert lock_requirements.problems("", unhashed) != []

    def test_the_source_archive_is_an_allow_list_that_misses_no_runtime_file(self) -> None:
        files = local("source_files")
        assert "{main.py,requirements.txt}" in files and "**/*.{py,json}" in files
        shipped = [
            path
            for path in (REPO_ROOT / "functions").rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc"}
        ]
        left_out = [str(p.relative_to(REPO_ROOT)) for p in shipped if p.suffix not in {".py", ".json"}]
        assert left_out == [], "functions/ holds files the archive's allow-list (storage.tf) leaves out"

    def test_plan_time_reads_and_grants_wait_for_what_they_need(self) -> None:
        project = next(d.body for d in _declared() if d.kind == "data" and d.type == "google_project")
        assert project["depends_on"] == ["${google_project_service.main}"]
        depends = resource("google_cloudfunctions2_function", "main")["depends_on"]
        assert {"${terraform_data.secret_values}", "${terraform_data.iam_propagation}"} <= set(depends)
        for type_name, name in [
            ("google_service_account_iam_member", "push_token_creator"),
            ("google_pubsub_topic_iam_member", "dead_letter_publisher"),
            ("google_pubsub_subscription_iam_member", "dead_letter_subscriber"),
        ]:
            assert "${terraform_data.pubsub_service_agent}" in resource(type_name, name)["depends_on"]

    def test_secret_values_never_pass_through_terraform(self) -> None:
        assert resources("google_secret_manager_secret_version") == []
        values = resource("terraform_data", "secret_values")
        command = values["provisioner"][0]["local-exec"]["command"]
        assert "$${${each.value.env}" in command  # the shell reads the variable, Terraform only its name
        assert not any("sensitive" in body for body in _variables().values())

    def test_every_former_address_is_moved_not_destroyed(self) -> None:
        moved = {
            entry["from"].removeprefix("${").removesuffix("}"): entry["to"].removeprefix("${").removesuffix("}")
            for doc in config().values()
            for entry in doc.get("moved", [])
        }
        assert moved == MOVED
        # check_tf_schema (test_infra_passes) checks that each target is declared and its key is an instance.

    def test_only_providers_from_the_lock_or_built_in(self) -> None:
        types = {d.type for d in _declared()}
        assert all(t.startswith(("google_", "archive_")) or t == "terraform_data" for t in types), types


# --- documentation drift --------------------------------------------------------------------------------------


def test_the_send_rate_is_the_same_everywhere() -> None:
    rate = variable_default("telegram_send_rate_per_second")
    text = README.read_text(encoding="utf-8") + (INFRA_DIR / "terraform.tfvars.example").read_text(encoding="utf-8")
    stated = set(re.findall(r"telegram_send_rate_per_second`? *=? *\(?(\d+)", text))
    assert stated == {str(rate)}
    assert "~25" not in (INFRA_DIR / "monitoring.tf").read_text(encoding="utf-8")


def test_tick_does_not_promise_a_scheduler_retry() -> None:
    retry = block(resource("google_cloud_scheduler_job", "tick"), "retry_config")
    assert retry["retry_count"] == 0
    tick = (REPO_ROOT / "functions" / "tick.py").read_text(encoding="utf-8")
    assert "scheduler's retry" not in tick


def test_one_project_per_environment_is_stated() -> None:
    main = (INFRA_DIR / "main.tf").read_text(encoding="utf-8")
    assert "One Google Cloud project per environment" in main
    assert "share a project" not in main.replace("cannot share a", "")
