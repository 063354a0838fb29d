# The (default) Firestore database in Native mode, the composite indexes the code's queries need and the TTL
# policies that expire ephemeral records. Both lists mirror functions/adapters/firestore/indexes.py (COMPOSITE_INDEXES,
# TTL_FIELDS); tests/unit/test_infra.py fails if they drift apart. Adding an index is one line below.

locals {
  # key => { collection, scope (COLLECTION | COLLECTION_GROUP), fields: [[field path, ASCENDING |
  # DESCENDING | ARRAY_CONTAINS], ...] }, in the order of the query's filters and sort.
  firestore_indexes = {
    reporters_by_user       = { collection = "reporters", scope = "COLLECTION_GROUP", fields = [["user_id", "ASCENDING"], ["created_at", "DESCENDING"]] }
    reporters_event_pending = { collection = "reporters", scope = "COLLECTION_GROUP", fields = [["event_pending", "ASCENDING"], ["created_at", "ASCENDING"]] }
    reports_fanout_pending  = { collection = "reports", scope = "COLLECTION", fields = [["fanout_pending", "ASCENDING"], ["created_at", "ASCENDING"]] }
    reports_region_created  = { collection = "reports", scope = "COLLECTION", fields = [["region", "ASCENDING"], ["created_at", "ASCENDING"]] }
    reports_region_status   = { collection = "reports", scope = "COLLECTION", fields = [["region", "ASCENDING"], ["status", "ASCENDING"]] }
    reports_urgent_untaken  = { collection = "reports", scope = "COLLECTION", fields = [["status", "ASCENDING"], ["severity", "ASCENDING"], ["created_at", "ASCENDING"]] }
    reports_status_created  = { collection = "reports", scope = "COLLECTION", fields = [["status", "ASCENDING"], ["created_at", "ASCENDING"]] }
    reports_status_updated  = { collection = "reports", scope = "COLLECTION", fields = [["status", "ASCENDING"], ["updated_at", "ASCENDING"]] }
    reports_status_closed   = { collection = "reports", scope = "COLLECTION", fields = [["status", "ASCENDING"], ["closed_at", "ASCENDING"]] }
    reports_child_created   = { collection = "reports", scope = "COLLECTION", fields = [["child_request", "ASCENDING"], ["created_at", "ASCENDING"]] }
    # The console's queue (adapters/firestore/console.py): status and severity (in), one optional equality, by
    # created_at then id; two optional equalities are served by merging these.
    reports_queue          = { collection = "reports", scope = "COLLECTION", fields = [["status", "ASCENDING"], ["severity", "ASCENDING"], ["created_at", "ASCENDING"], ["__name__", "ASCENDING"]] }
    reports_queue_region   = { collection = "reports", scope = "COLLECTION", fields = [["region", "ASCENDING"], ["status", "ASCENDING"], ["severity", "ASCENDING"], ["created_at", "ASCENDING"], ["__name__", "ASCENDING"]] }
    reports_queue_category = { collection = "reports", scope = "COLLECTION", fields = [["category", "ASCENDING"], ["status", "ASCENDING"], ["severity", "ASCENDING"], ["created_at", "ASCENDING"], ["__name__", "ASCENDING"]] }
    reports_queue_assignee = { collection = "reports", scope = "COLLECTION", fields = [["assignee", "ASCENDING"], ["status", "ASCENDING"], ["severity", "ASCENDING"], ["created_at", "ASCENDING"], ["__name__", "ASCENDING"]] }
  }

  # [collection group, timestamp field]: documents are deleted (typically within a day) after that time.
  firestore_ttl_fields = [
    ["sessions", "expires_at"],
    ["items", "expires_at"],
    ["albums", "expires_at"],
    ["invites", "expires_at"],
    ["notices", "expires_at"],
    ["fanouts", "expires_at"],
    ["attempts", "expires_at"],
    ["ticks", "expires_at"],
    ["group_notices", "expires_at"],
    ["users", "expires_at"],
    ["reporter_quotas", "expires_at"],
    ["relay_refs", "expires_at"],
    ["replies", "expires_at"],
    ["reply_heads", "expires_at"],
    ["quotas", "expires_at"],
    ["export_jobs", "expires_at"],
    ["console_opened", "expires_at"], # the console's once-only initData records
  ]
}

resource "google_firestore_database" "main" {
  name                              = "(default)"
  location_id                       = var.region
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  # `terraform destroy` only forgets the database; deleting it stays a deliberate act in the console.
  deletion_policy = "ABANDON"

  # Customer-managed encryption can only be chosen when the database is created (README.md, "Encryption
  # keys"); null keeps Google-managed keys.
  dynamic "cmek_config" {
    for_each = var.firestore_kms_key_name == null ? [] : [var.firestore_kms_key_name]
    content {
      kms_key_name = cmek_config.value
    }
  }

  depends_on = [google_project_service.main]
}

# A daily backup beside the 7-day point-in-time recovery window: a restore point that outlives it and survives
# a mistake noticed late (README.md, "Restore drill").
resource "google_firestore_backup_schedule" "daily" {
  database  = google_firestore_database.main.name
  retention = "${var.firestore_backup_retention_days * 86400}s"

  daily_recurrence {}
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  database    = google_firestore_database.main.name
  collection  = each.value.collection
  query_scope = each.value.scope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value[0]
      order        = fields.value[1] == "ARRAY_CONTAINS" ? null : fields.value[1]
      array_config = fields.value[1] == "ARRAY_CONTAINS" ? "CONTAINS" : null
    }
  }
}

resource "google_firestore_field" "ttl" {
  for_each = { for pair in local.firestore_ttl_fields : "${pair[0]}.${pair[1]}" => pair }

  database   = google_firestore_database.main.name
  collection = each.value[0]
  field      = each.value[1]

  ttl_config {}

  # An empty index_config drops the automatic single-field indexes on the TTL field: timestamps that grow
  # monotonically would otherwise make a write hot-spot (so no query may filter or sort on these fields).
  index_config {}
}
