# What is watched (README.md, "What is monitored"). Every policy notifies var.notification_channels (at least
# one: variables.tf refuses an empty list).
#
# One resource a rule: google_logging_metric.counter counts log lines (local.log_counters), and
# google_monitoring_alert_policy.main makes every alert policy (local.alert_policies) with the same combiner,
# channels, labels, comparison and trigger; an entry says only what is its own. The takedown track adds its
# entries in takedown.tf (local.takedown_log_counters, local.takedown_alert_policies). The moved blocks at the
# end keep the resources of a configuration applied before this shape (nothing is destroyed or created).

locals {
  service_names = { for key, fn in google_cloudfunctions2_function.main : key => fn.name }
  # Monitoring filter fragment matching the Cloud Run services of all four functions.
  all_services_filter       = join(" OR ", [for name in values(local.service_names) : "\"${name}\""])
  dead_letter_subscriptions = [for key, sub in google_pubsub_subscription.dead_letter : sub.name]
  push_subscriptions        = [for key, sub in google_pubsub_subscription.push : sub.name]

  # Log-based counters (DELTA, INT64), named "<prefix>_<key>".
  log_counters = {
    # The functions' own lines of severity ERROR or worse (what they write to stdout/stderr). Cloud Run's
    # request logs (log run.googleapis.com/requests) are left out: they carry ERROR for every 5xx, and the
    # consumers answer 503 on purpose to make Pub/Sub retry; request-level failures are the 5xx, backlog and
    # dead-letter alerts' business.
    function_errors = {
      description = "The Qorgau functions' own log lines of severity ERROR or worse (request logs excluded)."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${local.all_services_filter}) AND (log_id(\"run.googleapis.com/stdout\") OR log_id(\"run.googleapis.com/stderr\")) AND severity>=ERROR"
    }
    # tick's getWebhookInfo check (functions/services/telegram_health.py): Telegram failed to deliver an update
    # since the previous check, or the check itself failed.
    telegram_webhook_errors = {
      description = "tick's getWebhookInfo checks that saw a recent delivery error, or could not ask Telegram."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND ((jsonPayload.event=\"telegram_webhook_info\" AND jsonPayload.recent_error=true) OR jsonPayload.event=\"telegram_webhook_info_failed\")"
    }
    # fan_out logs {"event": "case_unrouted"} when a case has nobody to be told about it (no staff in its region,
    # no duty officer, no admin).
    case_unrouted = {
      description = "Cases fan_out could route to nobody (log lines with event case_unrouted)."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${local.all_services_filter}) AND jsonPayload.event=\"case_unrouted\""
    }
  }

  # What a condition of an alert policy leaves out: it is a threshold (above `threshold` for `duration`), not
  # absent data, that fires at once, on the series summed over 5 minutes.
  condition_defaults = {
    absent   = false
    duration = "0s"
    period   = "300s"
    aligner  = "ALIGN_SUM"
    reducer  = "REDUCE_SUM"
    group_by = null
  }

  # One alert policy each; left out, enabled is true and an incident closes itself after 30 minutes
  # (auto_close 1800s).
  alert_policies = {
    webhook_5xx = {
      display_name = "Qorgau: webhook answers 5xx"
      severity     = "CRITICAL"
      conditions = [{
        display_name = "telegram webhook 5xx responses in 5 min > ${var.webhook_5xx_threshold}"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND resource.labels.service_name = \"${local.service_names["telegram_webhook"]}\" AND metric.labels.response_code_class = \"5xx\""
        threshold    = var.webhook_5xx_threshold
      }]
      subject = "Qorgau webhook is failing"
      content = <<-EOT
        The Telegram webhook answers 5xx. Telegram re-sends each update until it gets a 2xx, so nothing is lost
        yet, but users wait and updates pile up (`pending_update_count`).
        1. Logs: resource.type="cloud_run_revision" resource.labels.service_name="${local.service_names["telegram_webhook"]}" severity>=ERROR
        2. `python scripts/set_webhook.py --check --url <webhook_url>` shows Telegram's last error.
        3. After a bad deploy, roll back (infra/README.md, "Rolling back").
      EOT
    }

    function_errors = {
      display_name = "Qorgau: functions log errors"
      severity     = "ERROR"
      conditions = [{
        display_name = "ERROR log entries in 5 min > ${var.function_error_threshold}, per function"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.counter["function_errors"].name}\""
        threshold    = var.function_error_threshold
        group_by     = ["resource.label.service_name"]
      }]
      subject = "Qorgau function errors"
      content = <<-EOT
        A Qorgau function logged errors of its own (the incident names the Cloud Run service; retries that
        Pub/Sub makes after a 503 are not counted here). Consumers retry with backoff and park messages on a
        dead-letter topic after 10 attempts; check the dead-letter alert too.
        Logs: resource.type="cloud_run_revision" log_id("run.googleapis.com/stdout") severity>=ERROR, filtered
        by the service name in the incident.
      EOT
    }

    dead_letter = {
      display_name = "Qorgau: messages parked on a dead-letter topic"
      severity     = "ERROR"
      auto_close   = "86400s"
      conditions = [{
        display_name = "undelivered messages in a dead-letter subscription > 0"
        filter       = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id = one_of(${join(", ", [for name in local.dead_letter_subscriptions : "\"${name}\""])})"
        threshold    = 0
        period       = "60s"
        aligner      = "ALIGN_MAX"
        reducer      = "REDUCE_MAX"
        group_by     = ["resource.label.subscription_id"]
      }]
      subject = "Qorgau: undeliverable messages parked"
      content = <<-EOT
        Messages failed delivery 10 times and were parked (kept 7 days). A parked "reports" event is a case
        nobody was notified about; a parked "deliveries" message is a notification that never reached Telegram.
        Inspect: `gcloud pubsub subscriptions pull <subscription> --limit=10` (without --auto-ack), fix the
        cause, then re-drive as described in infra/README.md ("Dead letters").
      EOT
    }

    backlog = {
      display_name = "Qorgau: Pub/Sub backlog is not draining"
      severity     = "WARNING"
      conditions = [{
        display_name = "oldest unacked message older than ${var.backlog_age_threshold_seconds}s"
        filter       = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id = one_of(${join(", ", [for name in local.push_subscriptions : "\"${name}\""])})"
        threshold    = var.backlog_age_threshold_seconds
        duration     = "300s"
        period       = "60s"
        aligner      = "ALIGN_MAX"
        reducer      = "REDUCE_MAX"
        group_by     = ["resource.label.subscription_id"]
      }]
      subject = "Qorgau: notifications are delayed"
      content = <<-EOT
        A push subscription has messages waiting longer than expected: the consumer is failing (see the errors
        alert) or is saturated (deliver runs one instance on purpose to respect Telegram's rate limits; a
        flood of notifications drains at ${var.telegram_send_rate_per_second} messages/s).
      EOT
    }

    tick_absent = {
      display_name = "Qorgau: tick is not running"
      severity     = "ERROR"
      enabled      = !var.scheduler_paused
      conditions = [{
        display_name = "no requests to tick for 10 minutes"
        absent       = true
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND resource.labels.service_name = \"${local.service_names["tick"]}\""
        duration     = "600s"
      }]
      subject = "Qorgau: tick stopped"
      content = <<-EOT
        Cloud Scheduler has not called tick for 10 minutes: escalations, digests, retention and outbox
        re-publishing have stopped. Check the job: `gcloud scheduler jobs describe ${google_cloud_scheduler_job.tick.name} --location=${google_cloud_scheduler_job.tick.region}`.
      EOT
    }

    telegram_pending_updates = {
      display_name = "Qorgau: Telegram holds undelivered updates"
      severity     = "ERROR"
      auto_close   = "3600s"
      conditions = [{
        display_name = "getWebhookInfo pending_update_count > ${var.telegram_pending_updates_threshold} for 15 min"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.telegram_pending_updates.name}\""
        threshold    = var.telegram_pending_updates_threshold
        duration     = "900s"
        aligner      = "ALIGN_PERCENTILE_99"
        reducer      = "REDUCE_MAX"
      }]
      subject = "Qorgau: Telegram cannot deliver updates to the webhook"
      content = <<-EOT
        Telegram holds more than ${var.telegram_pending_updates_threshold} updates it could not deliver: reports and button
        presses are waiting. Run the check (`terraform -chdir=infra output -raw check_webhook_command`): it prints
        Telegram's last error. Common causes: the webhook answers 5xx (see that alert), the webhook was
        removed or points elsewhere (re-run scripts/set_webhook.py), the secret was rotated without setWebhook.
      EOT
    }

    telegram_webhook_errors = {
      display_name = "Qorgau: Telegram reports webhook delivery errors"
      severity     = "WARNING"
      auto_close   = "3600s"
      conditions = [{
        display_name = "more than one check in 15 min saw a fresh delivery error (or could not ask Telegram)"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.counter["telegram_webhook_errors"].name}\""
        threshold    = 1
        period       = "900s"
      }]
      subject = "Qorgau: Telegram's webhook deliveries are failing"
      content = <<-EOT
        tick's getWebhookInfo checks (every 5 minutes) keep seeing a recent last_error_date, or cannot reach
        Telegram at all. Run `terraform -chdir=infra output -raw check_webhook_command` for the error text.
      EOT
    }

    case_unrouted = {
      display_name = "Qorgau: a case was routed to nobody"
      severity     = "CRITICAL"
      auto_close   = "86400s"
      conditions = [{
        display_name = "case_unrouted log lines > 0"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.counter["case_unrouted"].name}\""
        threshold    = 0
      }]
      subject = "Qorgau: a report reached no one"
      content = <<-EOT
        A report came in and fan_out found nobody to tell (no staff in its region, no duty officer, no admin).
        The log line (jsonPayload.event="case_unrouted") carries the case code: open it with /queue as an admin,
        take it or assign it, and add staff to the region.
      EOT
    }

    webhook_latency = {
      display_name = "Qorgau: webhook is slow"
      severity     = "WARNING"
      conditions = [{
        display_name = "telegram webhook p99 latency > ${var.webhook_latency_p99_threshold_ms} ms for 10 min"
        filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_latencies\" AND resource.labels.service_name = \"${local.service_names["telegram_webhook"]}\""
        threshold    = var.webhook_latency_p99_threshold_ms
        duration     = "600s"
        aligner      = "ALIGN_PERCENTILE_99"
        reducer      = "REDUCE_MAX"
      }]
      subject = "Qorgau: the webhook answers slowly"
      content = <<-EOT
        One request in a hundred takes more than ${var.webhook_latency_p99_threshold_ms} ms. Telegram waits for each answer (up to 40 at
        once), so slow answers back up its queue. Look for slow Firestore calls or cold starts (consider
        webhook_min_instances = 1) in the webhook's logs.
      EOT
    }
  }
}

# --- log-based metrics -----------------------------------------------------------------------------------------

resource "google_logging_metric" "counter" {
  for_each = merge(local.log_counters, local.takedown_log_counters)

  name        = "${local.prefix}_${each.key}"
  description = each.value.description
  filter      = each.value.filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.main]
}

# tick's getWebhookInfo check (functions/services/telegram_health.py), every 5 minutes: updates Telegram holds.
resource "google_logging_metric" "telegram_pending_updates" {
  name            = "${local.prefix}_telegram_pending_updates"
  description     = "pending_update_count of Telegram's getWebhookInfo, as tick logs it every 5 minutes."
  filter          = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND jsonPayload.event=\"telegram_webhook_info\""
  value_extractor = "EXTRACT(jsonPayload.pending_update_count)"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "1"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 1
    }
  }

  depends_on = [google_project_service.main]
}

# A new log-based metric takes a minute or two before an alert policy may name it ("Cannot find metric(s)"):
# the policies wait here, so the first apply goes through in one go. The list keeps its order (a new order
# would replace this resource and sleep again); a new metric is added at the end.
resource "terraform_data" "log_metrics_ready" {
  triggers_replace = [
    google_logging_metric.counter["function_errors"].id,
    google_logging_metric.telegram_pending_updates.id,
    google_logging_metric.counter["telegram_webhook_errors"].id,
    google_logging_metric.counter["case_unrouted"].id,
    google_logging_metric.counter["link_checks_interrupted"].id,
    google_logging_metric.counter["link_checks_refused"].id,
  ]

  provisioner "local-exec" {
    command = "sleep ${local.propagation_seconds}"
  }
}

# --- alert policies ---------------------------------------------------------------------------------------------

resource "google_monitoring_alert_policy" "main" {
  for_each = merge(local.alert_policies, local.takedown_alert_policies)

  display_name          = each.value.display_name
  combiner              = "OR"
  severity              = each.value.severity
  enabled               = try(each.value.enabled, null)
  notification_channels = var.notification_channels
  user_labels           = local.labels

  dynamic "conditions" {
    for_each = [for condition in each.value.conditions : merge(local.condition_defaults, condition)]
    content {
      display_name = conditions.value.display_name

      dynamic "condition_threshold" {
        for_each = conditions.value.absent ? [] : [conditions.value]
        content {
          filter          = condition_threshold.value.filter
          comparison      = "COMPARISON_GT"
          threshold_value = condition_threshold.value.threshold
          duration        = condition_threshold.value.duration
          aggregations {
            alignment_period     = condition_threshold.value.period
            per_series_aligner   = condition_threshold.value.aligner
            cross_series_reducer = condition_threshold.value.reducer
            group_by_fields      = condition_threshold.value.group_by
          }
          trigger {
            count = 1
          }
        }
      }

      dynamic "condition_absent" {
        for_each = conditions.value.absent ? [conditions.value] : []
        content {
          filter   = condition_absent.value.filter
          duration = condition_absent.value.duration
          aggregations {
            alignment_period     = condition_absent.value.period
            per_series_aligner   = condition_absent.value.aligner
            cross_series_reducer = condition_absent.value.reducer
            group_by_fields      = condition_absent.value.group_by
          }
        }
      }
    }
  }

  alert_strategy {
    auto_close = try(each.value.auto_close, "1800s")
  }

  documentation {
    mime_type = "text/markdown"
    subject   = each.value.subject
    content   = each.value.content
  }

  # Policies on platform metrics need only the APIs; those on log-based metrics need the metrics too.
  depends_on = [google_project_service.main, terraform_data.log_metrics_ready]
}

# --- the bill ---------------------------------------------------------------------------------------------------

resource "google_billing_budget" "monthly" {
  # The Budget API is called with this project as quota project (see provider "google" "billing").
  provider = google.billing

  billing_account = var.billing_account
  display_name    = "Qorgau ${var.project_id}"

  budget_filter {
    projects        = ["projects/${data.google_project.main.number}"]
    calendar_period = "MONTH"
  }

  amount {
    specified_amount {
      units = tostring(var.monthly_budget)
    }
  }

  threshold_rules {
    threshold_percent = 0.5
  }
  threshold_rules {
    threshold_percent = 0.9
  }
  threshold_rules {
    threshold_percent = 1.0
  }
  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  all_updates_rule {
    monitoring_notification_channels = slice(var.notification_channels, 0, min(5, length(var.notification_channels))) # at most 5
  }

  depends_on = [google_project_service.main]
}
