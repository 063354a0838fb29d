# The six Cloud Run functions (2nd gen), all built from the one source archive, each with its own entry point
# in main.py and its own service account. Sizing is per function and explained next to each number.
#
# Concurrency above 1 needs at least one whole vCPU, so every function gets cpu "1". functions-framework serves
# requests with gunicorn threads (THREADS, default 4 per vCPU); THREADS is set to the function's concurrency so
# an instance really works on as many requests as Cloud Run sends it instead of queueing them.

locals {
  functions = {
    telegram_webhook = {
      name        = "${local.prefix}-telegram-webhook"
      entry_point = "telegram_webhook"
      description = "Telegram webhook: checks the secret-token header, records the update, answers fast."
      public      = true # Telegram calls it from the internet; it authenticates by the secret header.
      memory      = var.webhook_memory
      cpu         = "1"
      # The webhook answers in well under a second; 60 s bounds a stuck request (Telegram re-sends on timeout).
      timeout_seconds = 60
      # 0 scales to zero: a cold start (~1.2 s of imports) is well inside Telegram's patience; 1 keeps one
      # instance warm for about $10 a month (variables.tf).
      min_instances = var.webhook_min_instances
      # setWebhook max_connections is 40, so Telegram never has more than 40 requests in flight: one instance
      # at concurrency 40 carries it; 20 instances leave room for cold starts and slow Firestore writes.
      max_instances = 20
      concurrency   = 40
    }
    console = {
      name        = "${local.prefix}-console"
      entry_point = "console"
      description = "Staff console (Telegram Mini App): its static files and JSON API, signed in by initData."
      public      = true # opened in Telegram's web view; every API call carries a session token (initData-signed).
      memory      = "512Mi"
      cpu         = "1"
      # API answers take a few Firestore reads; 30 s bounds a stuck request.
      timeout_seconds = 30
      min_instances   = 0 # scales to zero: staff open it a few times a day
      # A few dozen staff at once at most; 20 requests in flight per instance, 3 instances for a burst.
      max_instances = 3
      concurrency   = 20
    }
    fan_out = {
      name            = "${local.prefix}-fan-out"
      entry_point     = "fan_out"
      description     = "Pub/Sub push target of reports: works out who is told about a case, publishes deliveries."
      public          = false
      memory          = "512Mi"
      cpu             = "1"
      timeout_seconds = 120 # a few Firestore queries and publishes; generous for a region with many staff
      min_instances   = 0
      # I/O bound (Firestore, Pub/Sub); 5 x 10 in flight absorbs a burst of reports. The send rate is capped
      # further down by deliver, not here.
      max_instances = 5
      concurrency   = 10
    }
    deliver = {
      name            = "${local.prefix}-deliver"
      entry_point     = "deliver"
      description     = "Pub/Sub push target of deliveries: sends one message to Telegram, paced."
      public          = false
      memory          = "512Mi"
      cpu             = "1"
      timeout_seconds = 60 # one Bot API call plus a short retry_after wait; longer waits go back to Pub/Sub
      min_instances   = 0
      # These two numbers keep the global send rate under Telegram's ~30 messages/s: a single instance, so
      # the in-code pacer (1 msg/s per chat, DELIVER_RATE_PER_SECOND overall, 429 retry_after honoured) sees
      # every send; 8 requests in flight, enough to reach that rate at 100-300 ms per Bot API call (27-80/s
      # unpaced), so the pacer, not latency, sets the pace. When the instance is full Cloud Run answers 429
      # and Pub/Sub push backs off and re-delivers (flow control + retry policy), so nothing is lost.
      max_instances = 1
      concurrency   = 8
    }
    tick = {
      name            = "${local.prefix}-tick"
      entry_point     = "tick"
      description     = "Cloud Scheduler target, every minute: SLA escalation, digests, retention, outbox re-publish."
      public          = false
      memory          = "512Mi"
      cpu             = "1"
      timeout_seconds = 120 # one pass normally takes seconds; a slow pass may overrun the minute
      min_instances   = 0
      # Exactly one tick at a time: if a pass overruns, the next scheduler call is refused (429) instead of
      # running two passes over the same work; the job does not retry and the following minute catches up.
      max_instances = 1
      concurrency   = 1
    }
    export = {
      name        = "${local.prefix}-export"
      entry_point = "export"
      description = "Pub/Sub push target of exports: reads the cases page by page into one spreadsheet, sends it."
      public      = false
      # The webhook's 512 MiB is shared by 40 updates in flight; an export gets its own instance: rows stream
      # into the file (openpyxl write-only) a page at a time, so memory grows with the file, not the cases
      # (BENCHMARKS.md: the peak at 100,000 rows). /tmp of a function is in memory too, hence the margin.
      memory = "1Gi"
      cpu    = "1"
      # 100,000 rows took 11 minutes on the loaded emulator here (BENCHMARKS.md). Past the push's ack deadline
      # (600 s at most) Pub/Sub pushes the job again: that attempt finds the lease held (renewed every page)
      # and asks to be retried later, so one attempt runs and one file is sent.
      timeout_seconds = 1800
      min_instances   = 0
      # One export per instance, a few at once: each person may start 3 an hour (EXPORTS_PER_HOUR).
      max_instances = 3
      concurrency   = 1
    }
  }

  # Plain environment of every function: each name is a field of functions.config.Settings (upper-cased),
  # except LOG_EXECUTION_ID (functions-framework) and THREADS (gunicorn threads, set per function below).
  function_env = {
    GOOGLE_CLOUD_PROJECT  = var.project_id
    REPORTS_TOPIC         = google_pubsub_topic.main["reports"].name
    DELIVERIES_TOPIC      = google_pubsub_topic.main["deliveries"].name
    EXPORTS_TOPIC         = google_pubsub_topic.main["exports"].name
    ADMIN_TELEGRAM_IDS    = join(",", var.admin_telegram_ids)
    TELEGRAM_API_BASE_URL = var.telegram_api_base_url
    TELEGRAM_BOT_USERNAME = var.telegram_bot_username
    LOG_LEVEL             = var.log_level
    # Each deliver instance paces itself, so the global budget is shared among the instances.
    DELIVER_RATE_PER_SECOND = tostring(var.telegram_send_rate_per_second / local.functions["deliver"].max_instances)
    # The consumers park a message themselves (with the failure reason) on its last attempt; the number and
    # the topics are the push subscriptions' dead-letter policy (pubsub.tf).
    MAX_DELIVERY_ATTEMPTS        = tostring(local.max_delivery_attempts)
    REPORTS_DEAD_LETTER_TOPIC    = google_pubsub_topic.dead_letter["reports"].name
    DELIVERIES_DEAD_LETTER_TOPIC = google_pubsub_topic.dead_letter["deliveries"].name
    EXPORTS_DEAD_LETTER_TOPIC    = google_pubsub_topic.dead_letter["exports"].name
    LOG_EXECUTION_ID             = "true" # functions-framework adds the execution id to every log line
    # The committee's oversight policy (functions/services/timed.py, README "Oversight"): service levels in
    # minutes, the hour of the daily digest in Kazakhstan time, and how long a closed case keeps reporter
    # personal data and evidence references.
    SLA_URGENT_TAKE_MINUTES = "15"
    SLA_TAKE_MINUTES        = tostring(24 * 60)
    SLA_STALE_MINUTES       = tostring(7 * 24 * 60)
    DIGEST_HOUR             = "9"
    # A child's request for an adult: the first staff message must reach the child within this (README).
    CHILD_FIRST_CONTACT_MINUTES = "60"
    RETENTION_DAYS              = "365"
    # The staff console: initData older than this is refused (seconds); a session lasts this long (minutes).
    CONSOLE_INIT_DATA_MAX_AGE_SECONDS = "300"
    CONSOLE_SESSION_MINUTES           = "30"
    CONSOLE_URL                       = var.console_url
  }
}

resource "google_cloudfunctions2_function" "main" {
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime           = "python311"
    entry_point       = each.value.entry_point
    service_account   = google_service_account.builder.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }

    # Take the runtime's security patches (base image updates) without a redeploy.
    automatic_update_policy {}
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = each.value.concurrency
    # Internal-only functions are still reachable by Pub/Sub push and Cloud Scheduler of this project, which
    # Cloud Run counts as internal traffic; IAM (run.invoker, iam.tf) then admits only their service accounts.
    ingress_settings               = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.key].email

    environment_variables = merge(local.function_env, {
      THREADS = tostring(each.value.concurrency)
    })

    # Secrets reach a function only as Secret Manager-backed environment variables, and only the secrets
    # whose readers list (secrets.tf) names the function. "latest" is read when an instance starts.
    dynamic "secret_environment_variables" {
      for_each = { for key, secret in local.secrets : key => secret if contains(secret.readers, each.key) }
      content {
        key        = secret_environment_variables.value.env
        project_id = var.project_id
        secret     = google_secret_manager_secret.main[secret_environment_variables.key].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.main,
    # Cloud Run checks at deploy time that every referenced secret has a version and that the runtime
    # service account can read it, and the build needs its service account's rights before it starts: the
    # grants, and the time they take to propagate (main.tf).
    terraform_data.secret_values,
    terraform_data.iam_propagation,
  ]
}
