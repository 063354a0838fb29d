"""Infrastructure checks: the schema checker catches mistakes, and infra/ agrees with the code it deploys."""

from __future__ import annotations

import ast
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from _pytest.capture import CaptureFixture

from functions.adapters.firestore import indexes
from functions.config import Settings
from scripts import set_webhook
from scripts.check_tf_schema import (
    DEFAULT_SUBSET,
    Declared,
    check_directory,
    iter_declared,
    iter_labelled,
    iter_locals,
    load_config,
    load_schema_subset,
    parse_tf,
)
from scripts.check_tf_schema import main as check_main

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
INFRA_DIR: Final = REPO_ROOT / "infra"
MAIN_PY: Final = REPO_ROOT / "main.py"
ENTRY_POINTS: Final = {"telegram_webhook", "fan_out", "deliver", "tick", "export", "console"}

# Settings fields Terraform may leave unset on a function, each with the reason. Only fields with a default
# can be listed here: a required field must be set on every function or the function cannot start.
OPTIONAL_SETTINGS: Final[dict[str, str]] = {
    "telegram_webhook_secret": "a secret only telegram_webhook reads (it checks the header)",
    "session_ttl_minutes": "the code's default (one day) is the production value",
    "max_body_bytes": "the code's default (1 MiB) is the production value",
    "publish_timeout_seconds": "the code's default is the production value",
    "export_progress_seconds": "the code's default (an edit every 3 s at most) is the production value",
    "telegram_timeout_seconds": "the code's default is the production value",
    "telegram_bot_token": "only the targets that call Telegram read it (fan_out never does)",
    "profile_retention_days": "the code's default (365 days) is the production value",
    "reporter_cases_per_hour": "the code's default (10) is the production value",
    "reporter_cases_per_day": "the code's default (30) is the production value",
    "exports_per_hour": "the code's default (3 exports per person per hour) is the production value",
    # The takedown track's link checker (tick): the code's defaults are the production values, and the three
    # local-only levers (the platform double, private networks, a static address) must stay unset in the cloud.
    "platform_api_base_url": "local only: points the checker at the platform double",
    "link_check_allow_private_networks": "local only: lifts the SSRF guard",
    "link_check_static_address": "local only: host names resolve to one address without DNS",
    "link_check_batch": "the code's default is the production value",
    "link_check_per_platform_concurrency": "the code's default is the production value",
    "link_check_per_platform_interval_seconds": "the code's default is the production value",
    "link_check_user_agent": "the code's default (the honest User-Agent) is the production value",
}
# Environment variables Terraform sets that are not Settings fields: read by the platform, not by our code.
PLATFORM_ENV: Final[dict[str, str]] = {
    "LOG_EXECUTION_ID": "functions-framework: adds the execution id to log entries",
    "THREADS": "functions-framework: gunicorn threads per instance, matched to the request concurrency",
}
# Known disagreements between the code and this configuration, reported rather than hidden; the test for a
# pair fails again (strict xfail) as soon as the pair is fixed, so the entry is then deleted.
KNOWN_GAPS: Final[dict[tuple[str, str], str]] = {}


# --- parsed configuration --------------------------------------------------------------------------------

_CONFIG: dict[str, dict[str, Any]] = {}


def config() -> dict[str, dict[str, Any]]:
    """infra/*.tf parsed once per test session."""
    if not _CONFIG:
        _CONFIG.update(load_config(INFRA_DIR))
    return _CONFIG


def local(name: str) -> Any:
    """A local value of infra/ by name."""
    for _, found, value in iter_locals(config()):
        if found == name:
            return value
    raise AssertionError(f"infra/ declares no local {name!r}")


def resources(type_name: str) -> list[Declared]:
    """The resources of one type declared in infra/."""
    return [d for d in iter_declared(config()) if d.kind == "resource" and d.type == type_name]


def resource(type_name: str, name: str) -> dict[str, Any]:
    """The body of one resource."""
    for declared in resources(type_name):
        if declared.name == name:
            return declared.body
    raise AssertionError(f"infra/ declares no {type_name}.{name}")


def merged_locals(*names: str) -> dict[str, Any]:
    """Local maps of infra/ merged as `merge(local.a, local.b)` merges them (a later key wins)."""
    merged: dict[str, Any] = {}
    for name in names:
        merged.update({key: value for key, value in local(name).items() if not key.startswith("__")})
    return merged


def log_counters() -> dict[str, dict[str, Any]]:
    """The entries of google_logging_metric.counter (one log-based counter each, named qorgau_<key>)."""
    return merged_locals("log_counters", "takedown_log_counters")


def alert_policies() -> dict[str, dict[str, Any]]:
    """The entries of google_monitoring_alert_policy.main (one alert policy each)."""
    return merged_locals("alert_policies", "takedown_alert_policies")


def variable_default(name: str) -> Any:
    """The default of a variable of infra/."""
    for _, label, body in iter_labelled(config(), "variable"):
        if label == name:
            return body.get("default")
    raise AssertionError(f"infra/ declares no variable {name!r}")


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a body."""
    found = body.get(name)
    assert isinstance(found, list) and len(found) == 1, f"expected one {name} block"
    result: dict[str, Any] = found[0]
    return result


def dynamic_block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The `dynamic "name"` block of a body."""
    for entry in body.get("dynamic", []):
        if name in entry:
            result: dict[str, Any] = entry[name]
            return result
    raise AssertionError(f"no dynamic {name!r} block")


# --- the schema checker -----------------------------------------------------------------------------------

BAD_SNIPPET: Final = """
resource "google_pubsub_subscription" "bad" {
  name   = "s"
  topic  = "t"
  lables = { app = "qorgau" }

  push_config {
    push_endpoint = "https://example.invalid"
    oidc_token {
      audience = "https://example.invalid"
    }
  }

  retry_polcy {
    minimum_backoff = "10s"
  }
}

resource "google_cloudfunctions2_function" "bad" {
  location = "europe-west4"
}
"""


class TestSchemaChecker:
    def test_infra_passes(self) -> None:
        report = check_directory(INFRA_DIR, DEFAULT_SUBSET)
        assert report.errors == []

    def test_reports_misspelt_attribute(self, tmp_path: Path) -> None:
        errors = self._errors(tmp_path, BAD_SNIPPET)
        expected = "google_pubsub_subscription.bad.lables: unknown attribute (did you mean 'labels'?)"
        assert f"main.tf: {expected}" in errors

    def test_reports_missing_required_attribute(self, tmp_path: Path) -> None:
        errors = self._errors(tmp_path, BAD_SNIPPET)
        assert any("oidc_token: missing required attribute 'service_account_email'" in e for e in errors)
        assert "main.tf: google_cloudfunctions2_function.bad: missing required attribute 'name'" in errors

    def test_reports_unknown_block(self, tmp_path: Path) -> None:
        errors = self._errors(tmp_path, BAD_SNIPPET)
        assert any("retry_polcy: unknown block" in e and "'retry_policy'" in e for e in errors)

    def test_reports_unknown_resource_type_and_reference(self, tmp_path: Path) -> None:
        snippet = """
resource "google_pubsub_topics" "t" {
  name = "t"
}
resource "google_pubsub_topic" "u" {
  name   = google_pubsub_topic.missing.name
  labels = { region = var.undeclared }
}
"""
        errors = self._errors(tmp_path, snippet)
        assert any("unknown resource type 'google_pubsub_topics'" in e for e in errors)
        assert any("google_pubsub_topic.missing is referenced but not declared" in e for e in errors)
        assert any("var.undeclared is not declared" in e for e in errors)

    def test_reports_block_written_as_attribute_and_read_only_attribute(self, tmp_path: Path) -> None:
        snippet = """
resource "google_firestore_field" "f" {
  collection = "sessions"
  field      = "expires_at"
  ttl_config = {}
  name       = "x"
}
"""
        errors = self._errors(tmp_path, snippet)
        assert any("ttl_config: is a block, written as an attribute" in e for e in errors)
        assert any("google_firestore_field.f.name: is read-only" in e for e in errors)

    def test_reports_a_dependency_cycle(self, tmp_path: Path) -> None:
        snippet = """
locals {
  name = google_pubsub_topic.t.name
}
resource "google_pubsub_topic" "t" {
  name   = "t"
  labels = { topic = local.name }
}
"""
        errors = self._errors(tmp_path, snippet)
        assert "dependency cycle: local.name -> resource.google_pubsub_topic.t -> local.name" in errors

    def test_checks_moved_blocks(self, tmp_path: Path) -> None:
        snippet = """
locals {
  topics = { reports = {} }
}
resource "google_pubsub_topic" "main" {
  for_each = local.topics
  name     = each.key
}
resource "google_pubsub_topic" "kept" {
  name = "kept"
}
moved {
  from = google_pubsub_topic.reports
  to   = google_pubsub_topic.main["reports"]
}
moved {
  from = google_pubsub_topic.deliveries
  to   = google_pubsub_topic.main["deliverys"]
}
moved {
  from = google_pubsub_topic.kept
  to   = google_pubsub_topic.main["reports"]
}
moved {
  from = google_pubsub_topic.reports
  to   = google_pubsub_subscription.main["reports"]
}
"""
        errors = self._errors(tmp_path, snippet)
        assert not any("moved google_pubsub_topic.reports -> google_pubsub_topic.main" in e for e in errors)
        assert not any("is referenced but not declared" in e for e in errors), errors  # `from` is gone on purpose
        assert any("'deliverys' is not a key of its for_each" in e for e in errors)
        assert any("google_pubsub_topic.kept is still declared" in e for e in errors)
        assert any("a resource can only move to the same type" in e for e in errors)
        assert any("google_pubsub_subscription.main" in e and "the target is not declared" in e for e in errors)
        assert any("also moved in main.tf" in e for e in errors)

    def test_command_line_fails_on_a_bad_file(self, tmp_path: Path, capsys: CaptureFixture[str]) -> None:
        (tmp_path / "bad.tf").write_text(BAD_SNIPPET, encoding="utf-8")
        assert check_main([str(tmp_path)]) == 1
        assert "problem(s)" in capsys.readouterr().out

    def test_schema_subset_covers_only_used_types_and_stays_small(self) -> None:
        subset = load_schema_subset(DEFAULT_SUBSET)
        declared = iter_declared(config())
        used = {d.type for d in declared if d.kind == "resource" and d.type.startswith("google_")}
        assert set(subset["resource_schemas"]) == used
        assert DEFAULT_SUBSET.stat().st_size < 250_000

    @staticmethod
    def _errors(tmp_path: Path, text: str) -> list[str]:
        (tmp_path / "main.tf").write_text(text, encoding="utf-8")
        return check_directory(tmp_path, DEFAULT_SUBSET).errors


# --- functions --------------------------------------------------------------------------------------------


def _main_py_names() -> set[str]:
    """Names main.py defines or imports at module level."""
    if not MAIN_PY.exists():
        pytest.fail("main.py does not exist yet: it must define telegram_webhook, fan_out, deliver and tick")
    tree = ast.parse(MAIN_PY.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


class TestFunctions:
    def test_five_functions_are_deployed(self) -> None:
        assert {fn["entry_point"] for fn in local("functions").values()} == ENTRY_POINTS

    def test_every_entry_point_exists_in_main_py(self) -> None:
        names = _main_py_names()
        missing = {fn["entry_point"] for fn in local("functions").values()} - names
        assert not missing, f"main.py does not define {sorted(missing)}"

    def test_the_function_resource_deploys_the_locals(self) -> None:
        body = resource("google_cloudfunctions2_function", "main")
        assert body["for_each"] == "${local.functions}"
        build = block(body, "build_config")
        assert build["entry_point"] == "${each.value.entry_point}"
        assert build["runtime"] == "python311"
        source = block(block(build, "source"), "storage_source")
        assert source["object"] == "${google_storage_bucket_object.source.name}"

    def test_source_archive_is_named_by_its_hash_and_built_from_an_allow_list(self) -> None:
        obj = resource("google_storage_bucket_object", "source")
        assert "data.archive_file.source.output_sha256" in obj["name"]
        archive = next(d.body for d in iter_declared(config()) if d.type == "archive_file")
        assert "source_dir" not in archive and "excludes" not in archive
        assert dynamic_block(archive, "source")["for_each"] == "${local.source_files}"

    def test_only_the_webhook_and_the_console_are_public(self) -> None:
        functions = local("functions")
        assert {key for key, fn in functions.items() if fn["public"]} == {"telegram_webhook", "console"}
        service_config = block(resource("google_cloudfunctions2_function", "main"), "service_config")
        ingress = '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'
        assert service_config["ingress_settings"] == ingress
        invokers = resources("google_cloud_run_service_iam_member")
        public = [d for d in invokers if d.body["member"] == "allUsers"]
        assert [d.name for d in public] == ["public_invoker"]
        # The same flag opens the ingress and grants allUsers: one rule, nothing else is public.
        assert public[0].body["for_each"] == "${{for key, fn in local.functions : key => fn if fn.public}}"
        assert public[0].body["service"] == "${google_cloudfunctions2_function.main[each.key].name}"

    def test_sizing_keeps_the_contract(self) -> None:
        functions = local("functions")
        assert functions["deliver"]["max_instances"] == 1, "one deliver instance is what caps the global rate"
        assert functions["telegram_webhook"]["min_instances"] == "${var.webhook_min_instances}"
        assert functions["telegram_webhook"]["memory"] == "${var.webhook_memory}"
        assert variable_default("webhook_min_instances") == 0
        assert functions["telegram_webhook"]["concurrency"] == set_webhook.MAX_CONNECTIONS
        for key, fn in functions.items():
            if key == "export":  # may outlive its ack deadline: a re-push meets its lease, renewed every page
                from functions.domain.export_job import LEASE_SECONDS

                assert LEASE_SECONDS < 600 and fn["timeout_seconds"] <= 3600
                continue
            assert fn["timeout_seconds"] + 30 <= 600, f"{key}: the ack deadline (max 600 s) must cover it"


# --- environment ------------------------------------------------------------------------------------------


def _env_name(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    return alias.upper() if isinstance(alias, str) else name.upper()


def _function_env(function_key: str) -> set[str]:
    """Names of the environment variables Terraform gives one function (plain and secret)."""
    service_config = block(resource("google_cloudfunctions2_function", "main"), "service_config")
    expression = service_config["environment_variables"]
    assert expression.startswith("${merge(local.function_env,"), expression
    names = set(local("function_env")) | set(re.findall(r"\b([A-Z][A-Z0-9_]*)\s*=", expression))
    secrets = dynamic_block(service_config, "secret_environment_variables")
    assert "contains(secret.readers, each.key)" in secrets["for_each"]
    assert secrets["content"][0]["version"] == "latest"
    names |= {s["env"] for s in local("secrets").values() if function_key in s["readers"]}
    return names


def _settings_cases() -> Iterator[Any]:
    for function_key in sorted(ENTRY_POINTS):
        for field_name in Settings.model_fields:
            gap = KNOWN_GAPS.get((function_key, field_name))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            yield pytest.param(function_key, field_name, marks=marks, id=f"{function_key}-{field_name}")


class TestEnvironment:
    @pytest.mark.parametrize(("function_key", "field_name"), list(_settings_cases()))
    def test_every_setting_is_set_or_optional(self, function_key: str, field_name: str) -> None:
        if _env_name(field_name) in _function_env(function_key):
            return
        field = Settings.model_fields[field_name]
        env = _env_name(field_name)
        assert not field.is_required(), f"{function_key} cannot start: required {env} is not set"
        assert field_name in OPTIONAL_SETTINGS, f"{function_key}: {env} is not set, nor in OPTIONAL_SETTINGS"

    def test_terraform_sets_only_variables_the_code_reads(self) -> None:
        known = {_env_name(name) for name in Settings.model_fields} | set(PLATFORM_ENV)
        for function_key in ENTRY_POINTS:
            unknown = _function_env(function_key) - known
            assert not unknown, f"{function_key}: {sorted(unknown)} are not Settings fields (misspelt?)"

    def test_allow_lists_are_current(self) -> None:
        stale = set(OPTIONAL_SETTINGS) - set(Settings.model_fields)
        assert not stale, f"OPTIONAL_SETTINGS names fields Settings no longer has: {sorted(stale)}"
        for function_key, field_name in KNOWN_GAPS:
            assert function_key in ENTRY_POINTS and field_name in Settings.model_fields

    def test_topic_names_match_settings_defaults(self) -> None:
        assert variable_default("reports_topic") == Settings.model_fields["reports_topic"].default
        assert variable_default("deliveries_topic") == Settings.model_fields["deliveries_topic"].default
        topics = local("topics")
        assert topics["reports"]["name"] == "${var.reports_topic}"
        assert topics["deliveries"]["name"] == "${var.deliveries_topic}"
        env = local("function_env")
        assert env["REPORTS_TOPIC"] == '${google_pubsub_topic.main["reports"].name}'
        assert env["DELIVERIES_TOPIC"] == '${google_pubsub_topic.main["deliveries"].name}'

    def test_dead_letter_settings_match_the_subscriptions(self) -> None:
        fields = Settings.model_fields
        for topic in ("reports", "deliveries"):
            expected = f"{variable_default(f'{topic}_topic')}-dead-letter"
            assert fields[f"{topic}_dead_letter_topic"].default == expected
        assert resource("google_pubsub_topic", "dead_letter")["name"] == "${each.value.name}-dead-letter"
        env = local("function_env")
        assert env["REPORTS_DEAD_LETTER_TOPIC"] == '${google_pubsub_topic.dead_letter["reports"].name}'
        assert env["DELIVERIES_DEAD_LETTER_TOPIC"] == '${google_pubsub_topic.dead_letter["deliveries"].name}'
        assert env["MAX_DELIVERY_ATTEMPTS"] == "${tostring(local.max_delivery_attempts)}"
        policy = block(resource("google_pubsub_subscription", "push"), "dead_letter_policy")
        assert policy["max_delivery_attempts"] == "${local.max_delivery_attempts}"

    def test_api_base_url_default_matches_the_code(self) -> None:
        code_default = Settings.model_fields["telegram_api_base_url"].default
        assert variable_default("telegram_api_base_url") == code_default


# --- secrets and IAM --------------------------------------------------------------------------------------


class TestSecretsAndIam:
    def test_secrets_reach_the_functions_as_their_environment_variables(self) -> None:
        secrets = local("secrets")
        assert {s["env"] for s in secrets.values()} == {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"}

    def test_no_secret_value_in_terraform(self) -> None:
        assert resources("google_secret_manager_secret_version") == []

    def test_consumers_are_the_push_targets(self) -> None:
        # Publishers and secret readers are checked against functions/topology.py in test_infra_topology.py.
        topics = local("topics")
        assert topics["reports"]["consumer"] == "fan_out"
        assert topics["deliveries"]["consumer"] == "deliver"

    def test_consumers_may_park_on_their_own_dead_letter_topic(self) -> None:
        grant = resource("google_pubsub_topic_iam_member", "consumer_dead_letter")
        assert grant["for_each"] == "${local.topics}"
        assert grant["topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
        assert grant["member"] == "${google_service_account.function[each.value.consumer].member}"

    def test_no_project_wide_role_beyond_the_listed_ones(self) -> None:
        roles = {d.body["role"] for d in resources("google_project_iam_member")}
        assert roles == {"roles/datastore.user", "roles/run.builder"}

    def test_push_subscriptions_dead_letter_and_back_off(self) -> None:
        push = resource("google_pubsub_subscription", "push")
        retry = block(push, "retry_policy")
        assert (retry["minimum_backoff"], retry["maximum_backoff"]) == ("10s", "600s")
        dead_letter = block(push, "dead_letter_policy")
        assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
        oidc = block(block(push, "push_config"), "oidc_token")
        assert oidc["audience"] == block(push, "push_config")["push_endpoint"]


# --- Firestore --------------------------------------------------------------------------------------------


def _terraform_indexes() -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {
        (spec["collection"], spec["scope"], tuple((path, order) for path, order in spec["fields"]))
        for spec in local("firestore_indexes").values()
    }


def _terraform_ttl_fields() -> set[tuple[str, str]]:
    return {(collection, field) for collection, field in local("firestore_ttl_fields")}


class TestFirestore:
    def test_every_composite_index_of_the_code_is_declared(self) -> None:
        code = {(i.collection, i.scope, tuple(i.fields)) for i in indexes.COMPOSITE_INDEXES}
        assert code - _terraform_indexes() == set(), "indexes the code needs but Terraform does not declare"
        assert _terraform_indexes() - code == set(), "indexes Terraform declares that the code does not list"

    def test_every_ttl_field_of_the_code_is_declared(self) -> None:
        code = set(indexes.TTL_FIELDS)
        assert code - _terraform_ttl_fields() == set(), "TTL fields the code relies on but Terraform lacks"
        assert _terraform_ttl_fields() - code == set(), "TTL fields Terraform declares, the code does not"

    def test_indexed_collections_are_collections_the_code_uses(self) -> None:
        collections = getattr(indexes, "COLLECTIONS", None)
        if collections is None:
            pytest.skip("functions/adapters/firestore/indexes.py has no COLLECTIONS yet")
        used = {spec[0] for spec in _terraform_indexes()} | {c for c, _ in _terraform_ttl_fields()}
        assert used <= set(collections), f"not in COLLECTIONS: {sorted(used - set(collections))}"

    def test_resources_are_generated_from_the_locals(self) -> None:
        index = resource("google_firestore_index", "composite")
        assert index["for_each"] == "${local.firestore_indexes}"
        assert index["query_scope"] == "${each.value.scope}"
        ttl = resource("google_firestore_field", "ttl")
        assert "local.firestore_ttl_fields" in ttl["for_each"]
        assert ttl["ttl_config"] == [{"__is_block__": True}]
        assert ttl["index_config"] == [{"__is_block__": True}]

    def test_database_is_protected(self) -> None:
        database = resource("google_firestore_database", "main")
        assert database["name"] == "(default)"
        assert database["type"] == "FIRESTORE_NATIVE"
        assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"
        assert database["delete_protection_state"] == "DELETE_PROTECTION_ENABLED"
        assert database["deletion_policy"] == "ABANDON"


# --- labels -----------------------------------------------------------------------------------------------


def test_every_resource_that_takes_labels_gets_the_labels_map() -> None:
    subset = load_schema_subset(DEFAULT_SUBSET)["resource_schemas"]
    unlabelled = []
    for declared in iter_declared(config()):
        attributes = subset.get(declared.type, {}).get("attributes", {})
        for name in ("labels", "user_labels"):
            if attributes.get(name, {}).get("optional") and declared.body.get(name) != "${local.labels}":
                unlabelled.append(f"{declared.type}.{declared.name}.{name}")
    assert unlabelled == []


def test_tfvars_example_sets_every_required_variable_and_nothing_unknown() -> None:
    example = parse_tf((INFRA_DIR / "terraform.tfvars.example").read_text(encoding="utf-8"))
    declared = {label: body for _, label, body in iter_labelled(config(), "variable")}
    assert set(example) <= set(declared), f"unknown variables: {sorted(set(example) - set(declared))}"
    required = {name for name, body in declared.items() if "default" not in body}
    assert required <= set(example), f"required variables missing: {sorted(required - set(example))}"


# --- scripts/set_webhook.py -------------------------------------------------------------------------------

TOKEN: Final = "123456:TEST-token"
WEBHOOK_URL: Final = "https://qorgau-telegram-webhook-abc-ew.a.run.app"


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def _environ(**extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081", **extra}


class TestSetWebhook:
    def test_sets_the_webhook_with_the_update_types_the_bot_handles(self) -> None:
        calls: list[tuple[str, dict[str, Any]]] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append((request.url.path, json.loads(request.content)))
            return httpx.Response(200, json={"ok": True, "result": True, "description": "Webhook was set"})

        argv = ["--url", WEBHOOK_URL, "--drop-pending-updates"]
        assert set_webhook.run(argv, _environ(TELEGRAM_WEBHOOK_SECRET="s3cret_-x"), _client(handler)) == 0
        assert calls == [
            (
                f"/bot{TOKEN}/setWebhook",
                {
                    "url": WEBHOOK_URL,
                    "secret_token": "s3cret_-x",
                    "allowed_updates": set_webhook.allowed_updates(),
                    "max_connections": 40,
                    "drop_pending_updates": True,
                },
            )
        ]

    def test_update_types_are_exactly_the_handled_ones(self) -> None:
        from functions.webhook_updates import ALLOWED_UPDATES

        assert set_webhook.allowed_updates() == list(ALLOWED_UPDATES)

    def test_rejects_a_secret_telegram_would_refuse(self, capsys: CaptureFixture[str]) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            raise AssertionError("no call expected")

        argv = ["--url", WEBHOOK_URL]
        assert set_webhook.run(argv, _environ(TELEGRAM_WEBHOOK_SECRET="has space"), _client(handler)) == 1
        assert "TELEGRAM_WEBHOOK_SECRET" in capsys.readouterr().err

    @pytest.mark.parametrize(
        ("info", "expected"),
        [
            ({"url": WEBHOOK_URL, "pending_update_count": 0, "max_connections": 40}, 0),
            # the error's age, not its date: the date is taken when the test runs, not when it is collected
            ({"url": WEBHOOK_URL, "last_error_age": 60, "last_error_message": "502"}, 1),
            ({"url": WEBHOOK_URL, "last_error_age": 86_400, "last_error_message": "502"}, 0),
            ({"url": "https://elsewhere.example/hook"}, 1),
            ({"url": ""}, 1),
        ],
        ids=["healthy", "recent-error", "old-error", "other-url", "no-webhook"],
    )
    def test_check(self, info: dict[str, Any], expected: int, capsys: CaptureFixture[str]) -> None:
        info = dict(info)
        if "last_error_age" in info:
            info["last_error_date"] = int(time.time()) - info.pop("last_error_age")

        def handler(request: httpx.Request) -> httpx.Response:
            assert request.url.path == f"/bot{TOKEN}/getWebhookInfo"
            return httpx.Response(200, json={"ok": True, "result": info})

        assert set_webhook.run(["--check", "--url", WEBHOOK_URL], _environ(), _client(handler)) == expected
        assert "pending_update_count" in capsys.readouterr().out

    def test_errors_never_show_the_token(self, capsys: CaptureFixture[str]) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

        assert set_webhook.run(["--check"], _environ(), _client(handler)) == 1
        captured = capsys.readouterr()
        assert TOKEN not in captured.out + captured.err
        assert "<token>" in captured.err

    def test_telegram_refusal_is_reported(self, capsys: CaptureFixture[str]) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            refusal = {"ok": False, "error_code": 400, "description": "Bad Request: bad url"}
            return httpx.Response(400, json=refusal)

        argv = ["--url", "http://insecure"]
        assert set_webhook.run(argv, _environ(TELEGRAM_WEBHOOK_SECRET="abc"), _client(handler)) == 1
        assert "Bad Request: bad url" in capsys.readouterr().err
