output "webhook_url" {
  description = "URL to register with Telegram (scripts/set_webhook.py --url)."
  value       = google_cloudfunctions2_function.main["telegram_webhook"].service_config[0].uri
}

output "function_urls" {
  description = "Cloud Run URL of each function, by entry point."
  value       = { for key, fn in google_cloudfunctions2_function.main : key => fn.service_config[0].uri }
}

output "source_object" {
  description = "gs:// path of the deployed source archive (named by its SHA-256)."
  value       = "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
}

output "secret_ids" {
  description = "Secret Manager secret ids whose values an operator adds out of band."
  value       = { for key, secret in google_secret_manager_secret.main : key => secret.secret_id }
}

output "set_secret_commands" {
  description = "Commands that add the secret values (run once, and again to rotate). Read from stdin so values stay out of shell history."
  value = [
    for key, secret in google_secret_manager_secret.main :
    "printf %s \"$${${local.secrets[key].env}}\" | gcloud secrets versions add ${secret.secret_id} --project=${var.project_id} --data-file=-"
  ]
}

output "set_webhook_command" {
  description = "Registers the webhook with Telegram, reading both secrets from Secret Manager."
  value       = "TELEGRAM_BOT_TOKEN=\"$(gcloud secrets versions access latest --secret=${google_secret_manager_secret.main["telegram_bot_token"].secret_id} --project=${var.project_id})\" TELEGRAM_WEBHOOK_SECRET=\"$(gcloud secrets versions access latest --secret=${google_secret_manager_secret.main["telegram_webhook_secret"].secret_id} --project=${var.project_id})\" TELEGRAM_API_BASE_URL=${var.telegram_api_base_url} python scripts/set_webhook.py --url ${google_cloudfunctions2_function.main["telegram_webhook"].service_config[0].uri}"
}

output "check_webhook_command" {
  description = "Shows Telegram's view of the webhook; exits non-zero on a recent delivery error or a different URL."
  value       = "TELEGRAM_BOT_TOKEN=\"$(gcloud secrets versions access latest --secret=${google_secret_manager_secret.main["telegram_bot_token"].secret_id} --project=${var.project_id})\" TELEGRAM_API_BASE_URL=${var.telegram_api_base_url} python scripts/set_webhook.py --check --url ${google_cloudfunctions2_function.main["telegram_webhook"].service_config[0].uri}"
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions holding parked messages (7 days), by topic."
  value       = { for key, sub in google_pubsub_subscription.dead_letter : key => sub.name }
}

output "service_accounts" {
  description = "Service account e-mail of each function, push subscription, the scheduler and the builds."
  value = merge(
    { for key, sa in google_service_account.function : key => sa.email },
    { for key, sa in google_service_account.push : "push_${key}" => sa.email },
    { scheduler = google_service_account.scheduler.email, builder = google_service_account.builder.email },
  )
}

output "console_url" {
  description = "The staff console (Mini App) URL: set it as console_url and apply again, and in BotFather's /newapp if wanted."
  value       = google_cloudfunctions2_function.main["console"].service_config[0].uri
}
