# The deployable source: one zip of exactly the files the functions run, from an allow-list (main.py, the
# hashed requirements.txt, the Python and JSON files of functions/), stored under a name that is its hash. A
# code change gives a new object name and redeploys all four functions; anything else in the checkout (bench
# results, logs, virtualenvs, docs) cannot change the hash. Plus the Artifact Registry repository the builds
# push their images to.

locals {
  source_root = "${path.module}/.."
  # tests/unit/test_infra_deploy.py checks that functions/ holds no file type this list would leave out.
  source_files = sort(setunion(
    fileset(local.source_root, "{main.py,requirements.txt}"),
    [for file in fileset("${local.source_root}/functions", "**/*.{py,json}") : "functions/${file}"],
    [for file in fileset("${local.source_root}/webapp", "**/*.{html,js,css,txt}") : "webapp/${file}"],
  ))
}

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.build/source.zip"
  # Fixed file modes keep the hash identical on every machine whatever its umask.
  output_file_mode = "0644"

  dynamic "source" {
    for_each = local.source_files
    content {
      filename = source.value
      content  = file("${local.source_root}/${source.value}")
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Holds only source archives of code that is in git anyway; an access-log bucket would itself need one (the check fires on it too) for no protected data.
  name     = "${var.project_id}-${local.prefix}-source"
  location = var.region
  labels   = local.labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # Archives are never overwritten (their names are their hashes); versioning keeps a deleted one recoverable.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.main]
}

resource "google_storage_bucket_object" "source" {
  name   = "source-${data.archive_file.source.output_sha256}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path

  # Upload the new archive before the old one is removed, so the functions never point at a missing object.
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Images are rebuilt from the versioned source archive on every deploy and hold no data; Google-managed encryption is enough.
  repository_id = "${local.prefix}-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "Build images of the Qorgau functions"
  labels        = local.labels

  # Every deploy adds one image per function; keep the last few (enough to roll back by revision) and drop
  # the rest so storage does not grow for ever.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s" # 30 days
    }
  }

  depends_on = [google_project_service.main]
}
