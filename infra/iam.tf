# Who may do what, in one place. One service account per function, one per push subscription, one for the
# scheduler and one for the builds; each holds only the roles listed here, on the narrowest resource that
# takes the role. Runtime logs need no role: Cloud Run collects what the functions write to stdout/stderr.

# --- runtime service accounts (one per function) ---------------------------------------------------------

resource "google_service_account" "function" {
  for_each = local.functions

  account_id   = each.value.name
  display_name = "Qorgau ${each.key} runtime"
  description  = "Runs the ${each.key} function."

  depends_on = [google_project_service.main]
}

# Firestore has no finer grant than the project: all four functions read and write documents.
resource "google_project_iam_member" "function_datastore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.function[each.key].member
}

# Publisher on exactly the topics a function publishes to (local.topics[*].publishers, which must equal
# functions/topology.py PUBLISHES: tests/unit/test_infra_topology.py).
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = merge([
    for topic_key, topic in local.topics : {
      for function_key in topic.publishers : "${topic_key}/${function_key}" => {
        topic    = topic_key
        function = function_key
      }
    }
  ]...)

  topic  = google_pubsub_topic.main[each.value.topic].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.value.function].member
}

# Each consumer parks a message that failed its last attempt on its own dead-letter topic (with the reason);
# Pub/Sub's dead-letter policy is the fallback when even that publish fails.
resource "google_pubsub_topic_iam_member" "consumer_dead_letter" {
  for_each = local.topics

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.value.consumer].member
}

# Secret accessor on exactly the secrets a function reads (local.secrets[*].readers).
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = merge([
    for secret_key, secret in local.secrets : {
      for function_key in secret.readers : "${secret_key}/${function_key}" => {
        secret   = secret_key
        function = function_key
      }
    }
  ]...)

  secret_id = google_secret_manager_secret.main[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}

# --- invokers --------------------------------------------------------------------------------------------

# The public functions (local.functions[*].public, which also opens their ingress) may be invoked by anyone:
# Telegram cannot authenticate to Google, so the webhook rejects any request without the secret header; nor can
# Telegram's Mini App web view, so the staff console's API checks the Mini App's initData (HMAC with the bot
# token) and then a short-lived session token on every call.
resource "google_cloud_run_service_iam_member" "public_invoker" {
  #checkov:skip=CKV_GCP_102:Telegram and its Mini App web view cannot authenticate to Google; the webhook checks X-Telegram-Bot-Api-Secret-Token, the console initData and session tokens, themselves.
  for_each = { for key, fn in local.functions : key => fn if fn.public }

  location = var.region
  service  = google_cloudfunctions2_function.main[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Each push subscription's service account may invoke its consumer function and nothing else.
resource "google_service_account" "push" {
  for_each = local.topics

  account_id   = each.value.push_sa
  display_name = "Qorgau ${each.key} push subscription"
  description  = "Identity of the ${each.key} push subscription's OIDC token (invokes ${each.value.consumer})."

  depends_on = [google_project_service.main]
}

resource "google_cloud_run_service_iam_member" "push_invoker" {
  for_each = local.topics

  location = var.region
  service  = google_cloudfunctions2_function.main[each.value.consumer].name
  role     = "roles/run.invoker"
  member   = google_service_account.push[each.key].member
}

# The scheduler's service account may invoke tick and nothing else.
resource "google_service_account" "scheduler" {
  account_id   = "${local.prefix}-scheduler"
  display_name = "Qorgau scheduler"
  description  = "Identity of the every-minute Cloud Scheduler call to tick."

  depends_on = [google_project_service.main]
}

resource "google_cloud_run_service_iam_member" "scheduler_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.main["tick"].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# --- the Pub/Sub service agent ---------------------------------------------------------------------------

# It signs the push requests' OIDC tokens as the push service accounts (needed explicitly in projects created
# before April 2021, harmless after).
resource "google_service_account_iam_member" "push_token_creator" {
  for_each = local.topics

  service_account_id = google_service_account.push[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent

  depends_on = [terraform_data.pubsub_service_agent]
}

# Dead-lettering: the agent publishes the failed message to the dead-letter topic and acknowledges it on
# the source subscription. Without both grants messages are retried for ever instead of being parked.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.topics

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent

  depends_on = [terraform_data.pubsub_service_agent]
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.topics

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent

  depends_on = [terraform_data.pubsub_service_agent]
}

# --- builds ----------------------------------------------------------------------------------------------

# Cloud Build runs the function builds as this account rather than the project's default compute or Cloud
# Build account (whose rights vary by project age and organisation policy).
resource "google_service_account" "builder" {
  account_id   = "${local.prefix}-builder"
  display_name = "Qorgau function builds"
  description  = "Cloud Build identity for building the Qorgau functions."

  depends_on = [google_project_service.main]
}

# roles/run.builder is the role Google documents for a functions build account: write and read images in
# Artifact Registry, write build logs, read source objects project-wide (Cloud Functions may stage the archive
# in its own gcf-v2-sources bucket, so a grant on our bucket alone is not enough).
resource "google_project_iam_member" "builder" {
  project = var.project_id
  role    = "roles/run.builder"
  member  = google_service_account.builder.member
}
