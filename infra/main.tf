# Values shared by every file: names, labels, the Google-managed service agents this configuration grants to,
# and the waits that let the first apply go through in one go.
#
# One Google Cloud project per environment (prod, staging, ...), and nothing else in it: topic, secret and
# service-account names are fixed (the code's defaults), so two copies of this configuration cannot share a
# project. local.prefix only marks what belongs to Qorgau.

# Read at apply time, after the APIs are enabled: on an empty project Cloud Resource Manager is not enabled
# yet when the plan is made.
data "google_project" "main" {
  project_id = var.project_id

  depends_on = [google_project_service.main]
}

locals {
  prefix = "qorgau"

  # One labels map on every resource that supports labels (user_labels on alert policies).
  labels = merge(var.labels, { app = "qorgau" })

  # The Pub/Sub service agent: it mints the OIDC tokens of push subscriptions and moves messages to the
  # dead-letter topics, so it is granted exactly those rights in iam.tf.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.main.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # How long a new IAM grant or log-based metric takes to be seen everywhere, in practice (Google documents
  # "usually within 2 minutes" for IAM).
  propagation_seconds = 90
}

# The Pub/Sub service agent exists only once Google creates it, some time after the API is enabled; granting
# to it before fails ("service account does not exist"). This asks for it explicitly and waits.
resource "terraform_data" "pubsub_service_agent" {
  triggers_replace = [var.project_id]

  provisioner "local-exec" {
    command = "gcloud beta services identity create --service=pubsub.googleapis.com --project=${var.project_id}"
  }

  depends_on = [google_project_service.main]
}

# Grants take effect within about two minutes: the builds, the function deploys (Cloud Run checks secret
# access) and the scheduler wait here instead of failing on the first apply.
resource "terraform_data" "iam_propagation" {
  triggers_replace = [
    [for grant in google_secret_manager_secret_iam_member.accessor : grant.id],
    google_project_iam_member.builder.id,
  ]

  provisioner "local-exec" {
    command = "sleep ${local.propagation_seconds}"
  }
}
