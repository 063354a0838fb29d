# Where the logs live and who is on record. Everything the functions write, their request logs and the
# data-access audit logs go to one log bucket in var.region, kept var.log_retention_days (at least a year),
# and are excluded from the global _Default bucket; the _Required bucket (admin-activity audit logs, kept
# 400 days by Google) cannot be moved per project: its location is an organisation setting (README.md, "Data
# residency"). Log-based metrics (monitoring.tf) are computed by the Log Router before sinks and exclusions.

locals {
  # The functions' own lines (stdout/stderr), their request logs, and every data-access audit entry.
  regional_log_filter = "(resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${local.all_services_filter})) OR log_id(\"cloudaudit.googleapis.com/data_access\")"
  # Services whose data reads and writes are audited: the case data (Firestore) and the secrets.
  audited_services = toset(["datastore.googleapis.com", "firestore.googleapis.com", "secretmanager.googleapis.com"])
}

resource "google_logging_project_bucket_config" "regional" {
  project        = var.project_id
  location       = var.region
  bucket_id      = "${local.prefix}-logs"
  retention_days = var.log_retention_days
  description    = "Qorgau functions' logs and data-access audit logs, kept in ${var.region} for ${var.log_retention_days} days."

  depends_on = [google_project_service.main]
}

resource "google_logging_project_sink" "regional" {
  name        = "${local.prefix}-regional"
  description = "Routes the Qorgau logs to the regional bucket ${local.prefix}-logs."
  destination = "logging.googleapis.com/${google_logging_project_bucket_config.regional.id}"
  filter      = local.regional_log_filter
  # A bucket of the same project needs no writer identity grant.
  unique_writer_identity = true
}

# Keeps the same entries out of the global _Default bucket, so they are stored only in var.region.
resource "google_logging_project_exclusion" "regional_only" {
  name        = "${local.prefix}-regional-only"
  description = "Qorgau logs are stored in the regional bucket ${local.prefix}-logs only."
  filter      = local.regional_log_filter

  # Excluded only once the sink routes them elsewhere: no entry is dropped in between.
  depends_on = [google_logging_project_sink.regional]
}

# Data-access audit logs: every read and write of case data or a secret, by a person or a service account,
# is on record (they are off by default). They are voluminous (each Firestore call of the functions is an
# entry): the cost is in README.md.
resource "google_project_iam_audit_config" "data_access" {
  for_each = local.audited_services

  project = var.project_id
  service = each.value

  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
