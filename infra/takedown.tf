# The takedown track's link checker (functions/services/link_checks.py) runs inside tick: Cloud Scheduler's
# one-minute job (scheduler.tf) is its schedule, tick's service account its identity (it needs nothing more:
# Firestore and the reports topic, which tick already has), and tick's default internet egress its way out.
# There is deliberately no VPC connector: the checker must reach the platforms' public endpoints only, and its
# SSRF guard refuses every loopback, private, link-local and metadata address, on every hop, in code.
# PLATFORM_API_BASE_URL, LINK_CHECK_ALLOW_PRIVATE_NETWORKS and LINK_CHECK_STATIC_ADDRESS are never set here.
#
# Its log-based counters and its alert policy are entries of the ones in monitoring.tf
# (google_logging_metric.counter, google_monitoring_alert_policy.main).

locals {
  takedown_log_counters = {
    # Runs the checker cut short (Firestore or Pub/Sub failing mid-run): the links stay due and the next tick
    # goes on.
    link_checks_interrupted = {
      description = "Link-checker runs in tick interrupted by a transient failure."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND jsonPayload.logger=\"qorgau.link_checks\" AND jsonPayload.message=\"link checks interrupted; the next tick goes on\""
    }
    # Hops the SSRF guard refused (a reported link, or a redirect, to a non-public address): counted, not
    # alerted on alone; a burst is worth a look (someone probing the checker through reports).
    link_checks_refused = {
      description = "Link checks refused by the SSRF guard (a hop to a loopback, private, link-local or metadata address)."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_names["tick"]}\" AND jsonPayload.logger=\"qorgau.link_checker\" AND jsonPayload.refused=true"
    }
  }

  takedown_alert_policies = {
    link_checks = {
      display_name = "Qorgau: link checks failing or probed"
      severity     = "WARNING"
      auto_close   = "3600s"
      conditions = [
        {
          display_name = "link-checker runs interrupted in 30 min > 5"
          filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.counter["link_checks_interrupted"].name}\""
          threshold    = 5
          period       = "1800s"
        },
        {
          display_name = "checks refused by the SSRF guard in 1 h > 20"
          filter       = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.counter["link_checks_refused"].name}\""
          threshold    = 20
          period       = "3600s"
        },
      ]
      subject = "Qorgau: the link checker needs a look"
      content = <<-EOT
        Either tick's link-checker runs keep being cut short (Firestore or Pub/Sub failing: links stay due and
        are checked later; nothing is marked removed on a failure), or many reported links lead to addresses the
        SSRF guard refuses (someone may be probing the checker through reports; the refused checks never count).
        Logs: resource.type="cloud_run_revision" resource.labels.service_name="${local.service_names["tick"]}" jsonPayload.logger=("qorgau.link_checks" OR "qorgau.link_checker")
      EOT
    }
  }
}
