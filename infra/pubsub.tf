# Three topics, each pushed to its consumer function by a subscription Terraform owns (not an Eventarc trigger),
# which is what lets us set the retry policy and the dead-letter topic. A message that fails
# max_delivery_attempts times is parked on "<topic>-dead-letter" - by the consumer itself on its last attempt
# (with the failure reason as an attribute), or by Pub/Sub's dead-letter policy if even that fails - and kept
# by a pull subscription for an operator to inspect and re-drive (README.md). Parked delivery jobs are also
# pushed back to deliver, which tells the writer of a parked conversation message (parked_deliveries).
#
# Messages are stored only in var.region and, with enforce_in_transit, published and pulled only there: an
# operator re-driving from a laptop uses the regional endpoint (README.md, "Dead letters").

locals {
  topics = {
    reports = {
      name     = var.reports_topic
      consumer = "fan_out" # function the push subscription calls
      # webhook after commit; tick: outbox, escalations; console: transitions; deliver: a relay's first contact
      # refreshes the case's cards
      publishers = ["telegram_webhook", "tick", "console", "deliver"]
      push_sa    = "${local.prefix}-push-reports" # service account whose OIDC token the push carries
    }
    deliveries = {
      name     = var.deliveries_topic
      consumer = "deliver"
      # Must equal functions/topology.py (tests/unit/test_infra_topology.py): fan_out per recipient, tick for
      # reminders and digests, the webhook for the notice in a group after a report made there and the
      # evidence pages, the console for the evidence pages it asks for, deliver for the notice to the writer of a
      # conversation message it parked.
      publishers = ["fan_out", "telegram_webhook", "tick", "console", "deliver"]
      push_sa    = "${local.prefix}-push-deliveries"
    }
    exports = {
      name       = var.exports_topic
      consumer   = "export"             # its own function: more memory, one export per instance
      publishers = ["telegram_webhook"] # /export, after the hourly limit
      push_sa    = "${local.prefix}-push-exports"
    }
  }

  # Retry timing: exponential backoff from 10 s to 600 s, 10 attempts: 10+20+40+80+160+320+600+600+600 s,
  # about 40 minutes of failures (e.g. Telegram down, deliver saturated) before a message is parked.
  max_delivery_attempts = 10
  # Unacknowledged messages are kept 7 days (the maximum), on the live and the dead-letter subscriptions.
  message_retention = "604800s"
}

resource "google_pubsub_topic" "main" {
  #checkov:skip=CKV_GCP_83:Messages are transient (7 days at most) and Google-encrypted at rest; a CMEK key would add a KMS key ring, its IAM and rotation to operate, with no requirement for it yet.
  for_each = local.topics

  name   = each.value.name
  labels = local.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
    enforce_in_transit          = true
  }

  depends_on = [google_project_service.main]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Same messages as the source topics (see google_pubsub_topic.main): transient, Google-encrypted at rest, no CMEK requirement.
  for_each = local.topics

  name   = "${each.value.name}-dead-letter"
  labels = local.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
    enforce_in_transit          = true
  }

  depends_on = [google_project_service.main]
}

resource "google_pubsub_subscription" "push" {
  for_each = local.topics

  name   = "${each.value.name}-push"
  topic  = google_pubsub_topic.main[each.key].id
  labels = local.labels

  # Pub/Sub waits this long for the function's answer before re-delivering; it must cover the function's
  # whole timeout plus a cold start, or a slow but successful call would be delivered twice.
  ack_deadline_seconds       = min(600, local.functions[each.value.consumer].timeout_seconds + 30)
  message_retention_duration = local.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.main[each.value.consumer].service_config[0].uri
    # The standard wrapped push body ({"subscription", "message": {...}}) is what the code parses, so no
    # no_wrapper block. Cloud Run checks the token: signed for push_sa, audience = the function URL.
    oidc_token {
      service_account_email = google_service_account.push[each.key].email
      audience              = google_cloudfunctions2_function.main[each.value.consumer].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = local.max_delivery_attempts
  }

  # Never delete the subscription for inactivity (the default expires it after 31 idle days).
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    # Without these the first pushes fail authentication or dead-lettering silently does nothing.
    google_cloud_run_service_iam_member.push_invoker,
    google_service_account_iam_member.push_token_creator,
    google_pubsub_topic_iam_member.dead_letter_publisher,
  ]
}

# Parked delivery jobs come back to deliver, at /parked: the writer of a conversation message that was parked is
# told, whoever parked it. deliver parks a job itself on its last attempt (and tells the writer then), but when
# that attempt dies (a timeout, a killed instance) Pub/Sub's dead-letter policy parks it and runs none of our
# code; this push closes that gap. The failure job it publishes is idempotent by its id, so a writer told at
# parking time is not told twice; every other parked job is only acknowledged here (the operator's pull
# subscription below keeps its own copy).
resource "google_pubsub_subscription" "parked_deliveries" {
  name   = "${var.deliveries_topic}-dead-letter-push"
  topic  = google_pubsub_topic.dead_letter["deliveries"].id
  labels = local.labels

  ack_deadline_seconds       = min(600, local.functions["deliver"].timeout_seconds + 30)
  message_retention_duration = local.message_retention

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.main["deliver"].service_config[0].uri}/parked"
    # The same push identity as the live deliveries subscription (run.invoker on deliver, token creator for the
    # Pub/Sub agent); Cloud Run checks the audience against the function URL, whatever the path.
    oidc_token {
      service_account_email = google_service_account.push["deliveries"].email
      audience              = google_cloudfunctions2_function.main["deliver"].service_config[0].uri
    }
  }

  # No dead-letter policy: a failure job that cannot be published yet is retried for the 7 days of retention.
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_service_iam_member.push_invoker,
    google_service_account_iam_member.push_token_creator,
  ]
}

# Parked messages stay here until an operator reads them; nothing consumes this subscription automatically.
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.topics

  name   = "${each.value.name}-dead-letter"
  topic  = google_pubsub_topic.dead_letter[each.key].id
  labels = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = local.message_retention
  retain_acked_messages      = false

  expiration_policy {
    ttl = ""
  }
}
