# Terraform and provider versions. The google provider is pinned to the 6.x line the offline schema check
# (scripts/check_tf_schema.py against schema/google-6.50-subset.json) was derived from; provider 7.x changed
# several resources, so moving to it means re-deriving the schema subset first.
terraform {
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7" # glob patterns in archive_file.excludes need >= 2.5
    }
  }

  # State lives in a GCS bucket created once by hand (see README.md); the bucket name is given at init time:
  #   terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "qorgau"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
