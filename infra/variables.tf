variable "project_id" {
  type        = string
  description = "Google Cloud project id that hosts everything (functions, Pub/Sub, Firestore, secrets)."
}

variable "region" {
  type        = string
  description = "Region of the functions, the scheduler job, the source bucket and the build repository. europe-west4 (Netherlands) sits next to the Bot API servers."
  default     = "europe-west4"
}

variable "scheduler_region" {
  type        = string
  description = "Region of the Cloud Scheduler job when Cloud Scheduler is not offered in var.region (null: var.region)."
  default     = null
}

variable "firestore_location" {
  type        = string
  description = "Location of the (default) Firestore database. Cannot be changed once the database exists."
  default     = "europe-west4"
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
  description = "Pub/Sub topic of outgoing Telegram messages (fan_out and tick publish, deliver consumes)."
  default     = "deliveries"
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
  description = "Global budget of Bot API sends per second (Telegram allows about 30); shared among deliver instances as DELIVER_RATE_PER_SECOND."
  default     = 29

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
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) that every alert policy notifies."
  default     = []
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
