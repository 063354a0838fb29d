# The deployable source: one zip of the repository (application code only), stored under a name that is its
# hash, so any code change gives a new object name and redeploys all four functions, and an unchanged tree
# deploys nothing. Plus the Artifact Registry repository the builds push their images to.

data "archive_file" "source" {
  type        = "zip"
  source_dir  = "${path.module}/.."
  output_path = "${path.module}/.build/source.zip"
  # Fixed file modes keep the hash identical on every machine whatever its umask.
  output_file_mode = "0644"

  # Everything that is not runtime code; what remains is main.py, requirements.txt and functions/. Hidden
  # files and directories go as a whole (.git, .venv, .venv-checkov, caches, emulator logs, .env files), so
  # local runs never change the hash.
  excludes = [
    ".*",
    ".*/**",
    "**/__pycache__/**",
    "**/*.pyc",
    "**/*.log",
    "infra/**",
    "scripts/**",
    "devkit/**",
    "bench/**",
    "bench-results/**",
    "tests/**",
    "docs/**",
    "*.md",
    "Makefile",
    "pyproject.toml",
    "requirements-dev.txt",
  ]
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
