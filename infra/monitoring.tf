# What is watched (README.md, "What is monitored"). Every policy notifies var.notification_channels; with
# none given the incidents still open in the console.

locals {
  service_names = { for key, fn in google_cloudfunctions2_function.main : key => fn.name }
  # Monitoring filter fragment matching the Cloud Run services of all four functions.
  all_services_filter       = join(" OR ", [for name in values(local.service_names) : "\"${name}\""])
  dead_letter_subscriptions = [for key, sub in google_pubsub_subscription.dead_letter : sub.name]
  push_subscriptions        = [for key, sub in google_pubsub_subscription.push : sub.name]
}

# Count of log entries of severity ERROR or worse written by any of the functions.
resource "google_logging_metric" "function_errors" {
  name        = "${local.prefix}_function_errors"
  description = "Log entries of severity ERROR or worse from the Qorgau functions."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${local.all_services_filter}) AND severity>=ERROR"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "webhook_5xx" {
  display_name          = "Qorgau: webhook answers 5xx"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "telegram webhook 5xx responses in 5 min > ${var.webhook_5xx_threshold}"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND resource.labels.service_name = \"${local.service_names["telegram_webhook"]}\" AND metric.labels.response_code_class = \"5xx\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.webhook_5xx_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau webhook is failing"
    content   = <<-EOT
      The Telegram webhook answers 5xx. Telegram re-sends each update until it gets a 2xx, so nothing is lost
      yet, but users wait and updates pile up (`pending_update_count`).
      1. Logs: resource.type="cloud_run_revision" resource.labels.service_name="${local.service_names["telegram_webhook"]}" severity>=ERROR
      2. `python scripts/set_webhook.py --check --url <webhook_url>` shows Telegram's last error.
      3. After a bad deploy, roll back (infra/README.md, "Rolling back").
    EOT
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "function_errors" {
  display_name          = "Qorgau: functions log errors"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "ERROR log entries in 5 min > ${var.function_error_threshold}, per function"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.function_errors.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.function_error_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau function errors"
    content   = <<-EOT
      A Qorgau function logged errors (the incident names the Cloud Run service). Pub/Sub consumers retry
      with backoff and park messages on a dead-letter topic after 10 attempts; check the dead-letter alert too.
      Logs: resource.type="cloud_run_revision" severity>=ERROR, filtered by the service name in the incident.
    EOT
  }
}

resource "google_monitoring_alert_policy" "dead_letter" {
  display_name          = "Qorgau: messages parked on a dead-letter topic"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "undelivered messages in a dead-letter subscription > 0"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id = one_of(${join(", ", [for name in local.dead_letter_subscriptions : "\"${name}\""])})"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau: undeliverable messages parked"
    content   = <<-EOT
      Messages failed delivery 10 times and were parked (kept 7 days). A parked "reports" event is a case
      nobody was notified about; a parked "deliveries" message is a notification that never reached Telegram.
      Inspect: `gcloud pubsub subscriptions pull <subscription> --limit=10` (without --auto-ack), fix the
      cause, then re-drive as described in infra/README.md ("Dead letters").
    EOT
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "backlog" {
  display_name          = "Qorgau: Pub/Sub backlog is not draining"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "oldest unacked message older than ${var.backlog_age_threshold_seconds}s"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id = one_of(${join(", ", [for name in local.push_subscriptions : "\"${name}\""])})"
      comparison      = "COMPARISON_GT"
      threshold_value = var.backlog_age_threshold_seconds
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau: notifications are delayed"
    content   = <<-EOT
      A push subscription has messages waiting longer than expected: the consumer is failing (see the errors
      alert) or is saturated (deliver runs one instance on purpose to respect Telegram's rate limits; a
      flood of notifications drains at ~25 messages/s).
    EOT
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "tick_absent" {
  display_name          = "Qorgau: tick is not running"
  combiner              = "OR"
  severity              = "ERROR"
  enabled               = !var.scheduler_paused
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "no requests to tick for 10 minutes"
    condition_absent {
      filter   = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND resource.labels.service_name = \"${local.service_names["tick"]}\""
      duration = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau: tick stopped"
    content   = <<-EOT
      Cloud Scheduler has not called tick for 10 minutes: escalations, digests, retention and outbox
      re-publishing have stopped. Check the job: `gcloud scheduler jobs describe ${google_cloud_scheduler_job.tick.name} --location=${google_cloud_scheduler_job.tick.region}`.
    EOT
  }
}
