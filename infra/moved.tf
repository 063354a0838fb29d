# Addresses that changed when each repeated rule became one resource with for_each (monitoring.tf, takedown.tf,
# iam.tf). Terraform moves what a configuration applied before holds to the new address: nothing in the cloud
# is destroyed or created. Keep them while any environment may still hold a state from before that change.

moved {
  from = google_logging_metric.function_errors
  to   = google_logging_metric.counter["function_errors"]
}

moved {
  from = google_logging_metric.telegram_webhook_errors
  to   = google_logging_metric.counter["telegram_webhook_errors"]
}

moved {
  from = google_logging_metric.case_unrouted
  to   = google_logging_metric.counter["case_unrouted"]
}

moved {
  from = google_logging_metric.link_checks_interrupted
  to   = google_logging_metric.counter["link_checks_interrupted"]
}

moved {
  from = google_logging_metric.link_checks_refused
  to   = google_logging_metric.counter["link_checks_refused"]
}

moved {
  from = google_monitoring_alert_policy.webhook_5xx
  to   = google_monitoring_alert_policy.main["webhook_5xx"]
}

moved {
  from = google_monitoring_alert_policy.function_errors
  to   = google_monitoring_alert_policy.main["function_errors"]
}

moved {
  from = google_monitoring_alert_policy.dead_letter
  to   = google_monitoring_alert_policy.main["dead_letter"]
}

moved {
  from = google_monitoring_alert_policy.backlog
  to   = google_monitoring_alert_policy.main["backlog"]
}

moved {
  from = google_monitoring_alert_policy.tick_absent
  to   = google_monitoring_alert_policy.main["tick_absent"]
}

moved {
  from = google_monitoring_alert_policy.telegram_pending_updates
  to   = google_monitoring_alert_policy.main["telegram_pending_updates"]
}

moved {
  from = google_monitoring_alert_policy.telegram_webhook_errors
  to   = google_monitoring_alert_policy.main["telegram_webhook_errors"]
}

moved {
  from = google_monitoring_alert_policy.case_unrouted
  to   = google_monitoring_alert_policy.main["case_unrouted"]
}

moved {
  from = google_monitoring_alert_policy.webhook_latency
  to   = google_monitoring_alert_policy.main["webhook_latency"]
}

moved {
  from = google_monitoring_alert_policy.link_checks
  to   = google_monitoring_alert_policy.main["link_checks"]
}

moved {
  from = google_cloud_run_service_iam_member.webhook_public
  to   = google_cloud_run_service_iam_member.public_invoker["telegram_webhook"]
}

moved {
  from = google_cloud_run_service_iam_member.console_public
  to   = google_cloud_run_service_iam_member.public_invoker["console"]
}
