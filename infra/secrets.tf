# The two secrets. Terraform creates the containers only: their values never pass through Terraform (or its
# state); an operator adds them with `gcloud secrets versions add` (README.md, output set_secret_commands).
# Each secret is readable only by the functions in its readers list (iam.tf), and reaches them as the
# environment variable env (functions.tf).

locals {
  secrets = {
    telegram_bot_token = {
      secret_id = "telegram-bot-token"
      env       = "TELEGRAM_BOT_TOKEN"
      # Everything that calls the Bot API. fan_out never does, so it cannot read the token.
      readers = ["telegram_webhook", "deliver", "tick"]
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

  replication {
    auto {}
  }

  depends_on = [google_project_service.main]
}
