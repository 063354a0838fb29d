# tick, every minute: SLA escalation, digests, retention purges and re-publishing any outbox event whose
# publish did not happen after its Firestore commit.

resource "google_cloud_scheduler_job" "tick" {
  name        = "${local.prefix}-tick"
  description = "Calls the tick function every minute."
  region      = var.region
  schedule    = "* * * * *"
  # Kazakhstan is UTC+5 all year (Asia/Almaty); it matters once a schedule names hours (e.g. digests).
  time_zone = "Asia/Almaty"
  paused    = var.scheduler_paused

  # Wait for the whole of tick's timeout (plus a cold start) before calling the attempt failed.
  attempt_deadline = "${local.functions["tick"].timeout_seconds + 30}s"

  # No retries (functions/tick.py says so too): tick is idempotent and the next minute's call does the same work.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.main["tick"].service_config[0].uri
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.main["tick"].service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.main,
    google_cloud_run_service_iam_member.scheduler_invoker,
    terraform_data.iam_propagation,
  ]
}
