# The Google APIs this system uses. They stay enabled when this configuration is destroyed: other workloads of
# the project may use them, and disabling an API can delete data (Firestore) or break unrelated services.

locals {
  apis = toset([
    "artifactregistry.googleapis.com",     # build images of the functions
    "billingbudgets.googleapis.com",       # the monthly budget alert
    "cloudbuild.googleapis.com",           # builds the functions from the source archive
    "cloudfunctions.googleapis.com",       # Cloud Run functions (2nd gen) API
    "cloudresourcemanager.googleapis.com", # data.google_project (project number)
    "cloudscheduler.googleapis.com",       # the every-minute tick
    "firestore.googleapis.com",            # the database
    "iam.googleapis.com",                  # service accounts
    "logging.googleapis.com",              # regional log bucket, sink, log-based metrics
    "monitoring.googleapis.com",           # alert policies
    "pubsub.googleapis.com",               # reports and deliveries topics
    "run.googleapis.com",                  # the functions run as Cloud Run services
    "secretmanager.googleapis.com",        # bot token and webhook secret
    "storage.googleapis.com",              # source archive bucket
  ])
}

resource "google_project_service" "main" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
