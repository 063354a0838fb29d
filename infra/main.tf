# Values shared by every file: names, labels and the Google-managed service agents this configuration grants to.

data "google_project" "main" {
  project_id = var.project_id
}

locals {
  # Prefix of every resource name this configuration creates, so several apps can share a project.
  prefix = "qorgau"

  # One labels map on every resource that supports labels (user_labels on alert policies).
  labels = merge(var.labels, { app = "qorgau" })

  # The Pub/Sub service agent: it mints the OIDC tokens of push subscriptions and moves messages to the
  # dead-letter topics, so it is granted exactly those rights in iam.tf.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.main.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
