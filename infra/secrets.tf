# The two secrets. Their values never pass through Terraform (variables, plan or state): Terraform creates the
# containers, then terraform_data.secret_values runs `gcloud secrets versions add` reading the value from the
# operator's environment (TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET), once, only while the secret has no
# version yet; later versions (rotation) are added with gcloud directly (README.md). Each secret is readable
# only by the functions in its readers list (iam.tf), which must equal functions/topology.py SECRET_READERS
# (tests/unit/test_infra_topology.py), and reaches them as the environment variable env (functions.tf).

locals {
  secrets = {
    telegram_bot_token = {
      secret_id = "telegram-bot-token"
      env       = "TELEGRAM_BOT_TOKEN"
      # Everything that calls the Bot API (tick: the getWebhookInfo health check). fan_out never does.
      # console: checks the Mini App's initData, signs its sessions, sends evidence to a staff chat; export: its
      # progress edits and the spreadsheet.
      readers = ["telegram_webhook", "deliver", "tick", "export", "console"]
    }
    telegram_webhook_secret = {
      secret_id = "telegram-webhook-secret"
      env       = "TELEGRAM_WEBHOOK_SECRET"
      readers   = ["telegram_webhook"] # compared with the X-Telegram-Bot-Api-Secret-Token header
    }
  }
}

resource "google_secret_manager_secret" "main" {
  # Rotation is manual (BotFather for the token; a new random value plus setWebhook for the webhook secret),
  # see README.md.
  for_each = local.secrets

  secret_id = each.value.secret_id
  labels    = local.labels

  # Stored only in var.region (data residency), not wherever Google chooses ("auto").
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.main]
}

# The first version of each secret, from the operator's environment, so that one apply deploys the functions
# (Cloud Run refuses a function whose secret has no version). The command sees only the variable's name:
# Terraform never reads the value. A secret that already has a version is left alone.
resource "terraform_data" "secret_values" {
  for_each = local.secrets

  triggers_replace = [google_secret_manager_secret.main[each.key].id]

  provisioner "local-exec" {
    interpreter = ["bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      if [[ -n "$(gcloud secrets versions list ${google_secret_manager_secret.main[each.key].secret_id} --project=${var.project_id} --limit=1 --format='value(name)')" ]]; then
        exit 0
      fi
      if [[ -z "$${${each.value.env}:-}" ]]; then
        echo "${each.value.env} is not set: export it (infra/README.md, First deployment) and apply again" >&2
        exit 1
      fi
      printf %s "$${${each.value.env}}" | gcloud secrets versions add ${google_secret_manager_secret.main[each.key].secret_id} --project=${var.project_id} --data-file=-
    EOT
  }
}
