# The takedown track's link checker (functions/services/link_checks.py) runs inside tick: Cloud Scheduler's
# one-minute job (scheduler.tf) is its schedule, tick's service account its identity (it needs nothing more:
# Firestore and the reports topic, which tick already has), and tick's default internet egress its way out.
# There is deliberately no VPC connector: the checker must reach the platforms' public endpoints only, and its
# SSRF guard refuses every loopback, private, link-local and metadata address, on every hop, in code.
# PLATFORM_API_BASE_URL, LINK_CHECK_ALLOW_PRIVATE_NETWORKS and LINK_CHECK_STATIC_ADDRESS are never set here.

# Runs the checker cut short (Firestore or Pub/Sub failing mid-run): the links stay due and the next tick goes on.
resource "google_logging_metric" "link_checks_interrupted" {
  name        = "${local.prefix}_link_checks_interrupted"
  description = "Link-checker runs in tick interrupted by a transient failure."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND jsonPayload.logger=\"qorgau.link_checks\" AND jsonPayload.message=\"link checks interrupted; the next tick goes on\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.main]
}

# Hops the SSRF guard refused (a reported link, or a redirect, to a non-public address): counted, not alerted on
# alone; a burst is worth a look (someone probing the checker through reports).
resource "google_logging_metric" "link_checks_refused" {
  name        = "${local.prefix}_link_checks_refused"
  description = "Link checks refused by the SSRF guard (a hop to a loopback, private, link-local or metadata address)."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND jsonPayload.logger=\"qorgau.link_checker\" AND jsonPayload.refused=true"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "link_checks" {
  display_name          = "Qorgau: link checks failing or probed"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "link-checker runs interrupted in 30 min > 5"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.link_checks_interrupted.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 5
      duration        = "0s"
      aggregations {
        alignment_period     = "1800s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "checks refused by the SSRF guard in 1 h > 20"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.link_checks_refused.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 20
      duration        = "0s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Qorgau: the link checker needs a look"
    content   = <<-EOT
      Either tick's link-checker runs keep being cut short (Firestore or Pub/Sub failing: links stay due and
      are checked later; nothing is marked removed on a failure), or many reported links lead to addresses the
      SSRF guard refuses (someone may be probing the checker through reports; the refused checks never count).
      Logs: resource.type="cloud_run_revision" resource.labels.service_name="${local.service_names["tick"]}" jsonPayload.logger=("qorgau.link_checks" OR "qorgau.link_checker")
    EOT
  }

  depends_on = [terraform_data.log_metrics_ready]
}
