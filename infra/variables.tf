variable "project_id" {
  type        = string
  description = "Google Cloud project id that hosts everything (functions, Pub/Sub, Firestore, secrets)."
}

variable "region" {
  type        = string
  description = "The one location of everything that stores or processes data: functions, scheduler, Firestore, Pub/Sub message storage, Secret Manager replicas, logs, the source bucket and the build repository (README.md, \"Data residency\"). europe-west4 (Netherlands) sits next to the Bot API servers; the committee decides. Firestore's location cannot change once the database exists."
  default     = "europe-west4"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be one Google Cloud region (e.g. europe-west4), not a multi-region: every location follows it."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every resource that supports them, merged with {app = \"qorgau\"}."
  default     = {}
}

variable "reports_topic" {
  type        = string
  description = "Pub/Sub topic of new-report events (webhook and tick publish, fan_out consumes). Must match the REPORTS_TOPIC default of the code unless set on the functions too."
  default     = "reports"
}

variable "deliveries_topic" {
  type        = string
  description = "Pub/Sub topic of outgoing Telegram messages (fan_out, tick and the webhook publish, deliver consumes)."
  default     = "deliveries"
}

variable "exports_topic" {
  type        = string
  description = "Pub/Sub topic of /export jobs (the webhook publishes, the export function consumes)."
  default     = "exports"
}

variable "admin_telegram_ids" {
  type        = list(string)
  description = "Telegram user ids of the first administrators (ADMIN_TELEGRAM_IDS)."
  default     = []

  validation {
    condition     = alltrue([for id in var.admin_telegram_ids : can(regex("^[0-9]{1,20}$", id))])
    error_message = "Each admin Telegram id must be a positive integer written as a string."
  }
}

variable "telegram_bot_username" {
  type        = string
  description = "The bot's username without @ (TELEGRAM_BOT_USERNAME), used to build t.me deep links such as staff invites."

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$", var.telegram_bot_username))
    error_message = "A bot username is 5-32 characters of letters, digits and underscores, ends in \"bot\" and has no @."
  }
}

variable "console_url" {
  type        = string
  default     = ""
  description = "The staff console's https URL (CONSOLE_URL; the console_url output after the first apply): the bot's menu button and the cards' \"open in console\" open it. Empty: no console buttons."

  validation {
    condition     = var.console_url == "" || can(regex("^https://", var.console_url))
    error_message = "The console URL must be https (Telegram opens Mini Apps over https only)."
  }
}

variable "telegram_api_base_url" {
  type        = string
  description = "Root of the Bot API server (TELEGRAM_API_BASE_URL); calls go to {root}/bot{token}/{method}."
  default     = "https://api.telegram.org"

  validation {
    condition     = can(regex("^https://", var.telegram_api_base_url))
    error_message = "The Bot API root must be an https:// URL in the cloud."
  }
}

variable "telegram_send_rate_per_second" {
  type        = number
  description = "Budget of deliver's Bot API sends per second (Telegram allows about 30 in all; 20 leaves about 10 for the webhook's own answers); shared among deliver instances as DELIVER_RATE_PER_SECOND."
  default     = 20

  validation {
    condition     = var.telegram_send_rate_per_second > 0 && var.telegram_send_rate_per_second <= 30
    error_message = "Telegram allows about 30 messages per second in total; stay at or below 30."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of every function."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARNING, ERROR."
  }
}

variable "scheduler_paused" {
  type        = bool
  description = "Pause the every-minute tick job (maintenance); escalations, digests and outbox re-publishing stop while paused."
  default     = false
}

variable "notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) that every alert policy and the budget notify: at least one, or alerts reach nobody."

  validation {
    condition     = length(var.notification_channels) > 0 && alltrue([for c in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", c))])
    error_message = "Give at least one notification channel, each as projects/<project>/notificationChannels/<id>."
  }
}

variable "webhook_5xx_threshold" {
  type        = number
  description = "Alert when the webhook answers more than this many 5xx responses within 5 minutes."
  default     = 5
}

variable "function_error_threshold" {
  type        = number
  description = "Alert when the functions log more than this many entries of severity ERROR or worse within 5 minutes."
  default     = 0
}

variable "backlog_age_threshold_seconds" {
  type        = number
  description = "Alert when the oldest unacknowledged message of a push subscription is older than this (messages are not getting through)."
  default     = 900
}

variable "webhook_memory" {
  type        = string
  description = "Memory of the webhook function. 512Mi carries the intake at concurrency 40; /stats and /export need more (see the scale issue) and must not run inside a 512 MiB webhook."
  default     = "512Mi"

  validation {
    condition     = contains(["512Mi", "1Gi", "2Gi", "4Gi"], var.webhook_memory)
    error_message = "webhook_memory must be one of 512Mi, 1Gi, 2Gi, 4Gi (with one vCPU)."
  }
}

variable "webhook_min_instances" {
  type        = number
  description = "Warm webhook instances kept running. 0 scales to zero (a ~1.2 s cold start after quiet nights); 1 removes it for about $10 a month (one idle 1 vCPU / 512 MiB instance)."
  default     = 0

  validation {
    condition     = var.webhook_min_instances >= 0 && var.webhook_min_instances <= 3
    error_message = "webhook_min_instances must be between 0 and 3."
  }
}

variable "webhook_latency_p99_threshold_ms" {
  type        = number
  description = "Alert when the webhook's 99th-percentile request latency stays above this many milliseconds for 10 minutes."
  default     = 2000
}

variable "telegram_pending_updates_threshold" {
  type        = number
  description = "Alert when Telegram holds more than this many undelivered updates for the webhook (getWebhookInfo pending_update_count, checked by tick every 5 minutes) for 15 minutes."
  default     = 50
}

variable "log_retention_days" {
  type        = number
  description = "Days the functions' logs are kept in the regional log bucket (the committee sets it; at least one year)."
  default     = 365

  validation {
    condition     = var.log_retention_days >= 365 && var.log_retention_days <= 3650
    error_message = "log_retention_days must be between 365 and 3650."
  }
}

variable "firestore_backup_retention_days" {
  type        = number
  description = "Days each daily Firestore backup is kept (beside 7 days of point-in-time recovery). Firestore keeps a backup at most 14 weeks."
  default     = 30

  validation {
    condition     = var.firestore_backup_retention_days >= 1 && var.firestore_backup_retention_days <= 98
    error_message = "firestore_backup_retention_days must be between 1 and 98 (14 weeks)."
  }
}

variable "firestore_kms_key_name" {
  type        = string
  description = "Cloud KMS key (projects/P/locations/<region>/keyRings/R/cryptoKeys/K) encrypting Firestore with a customer-managed key, or null for Google-managed encryption. Decide before the first apply: it can only be set when the database is created (README.md, \"Encryption keys\")."
  default     = null

  validation {
    condition     = var.firestore_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.firestore_kms_key_name))
    error_message = "firestore_kms_key_name must be a full Cloud KMS key name, or null."
  }
}

variable "billing_account" {
  type        = string
  description = "Billing account id (XXXXXX-XXXXXX-XXXXXX) of the project, for the budget alert."

  validation {
    condition     = can(regex("^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", var.billing_account))
    error_message = "billing_account must look like 012345-6789AB-CDEF01."
  }
}

variable "monthly_budget" {
  type        = number
  description = "Monthly budget of the project in the billing account's currency; the budget notifies the channels at 50%, 90% and 100% (and a forecast of 100%)."
  default     = 100
}
