# Terraform and provider versions, pinned exactly and locked (.terraform.lock.hcl, committed): the google
# provider is the one the offline schema check (scripts/check_tf_schema.py against
# schema/google-6.50-subset.json) was derived from. Moving to another version means re-deriving the subset
# first, then `terraform init -upgrade` to update the lock file.
terraform {
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "2.7.1" # glob patterns in archive_file.excludes need >= 2.5
    }
  }

  # State lives in a GCS bucket created once by hand in var.region (see README.md); the bucket name is given
  # at init time:
  #   terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "qorgau"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

# The Budget API needs a quota project when called with user credentials; only the budget uses this alias, so
# no other call depends on APIs that are enabled during the same apply.
provider "google" {
  alias                 = "billing"
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}
