variable "name_prefix" {
  description = "Prefix of every resource name and SSM parameter; one stack per prefix and account."
  type        = string
  default     = "eventlab"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "aws_profile" {
  description = "Named AWS CLI profile for the throwaway account; null uses the default credential chain."
  type        = string
  default     = null
}

variable "assume_role_arn" {
  description = "Role to assume in the throwaway account (e.g. arn:aws:iam::123456789012:role/OrganizationAccountAccessRole); null uses the credentials as they are."
  type        = string
  default     = null
}

variable "budget_email" {
  description = "E-mail for an AWS Budgets alert on this account's monthly spend; null creates no budget."
  type        = string
  default     = null
}

variable "alarm_email" {
  description = "E-mail subscribed to the lab's alarms (dead-letter queues not empty, stream consumers lagging); null subscribes nobody. AWS sends a confirmation e-mail first."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address, or null."
  }
}

variable "iterator_age_alarm_seconds" {
  description = "Alarm when a stream consumer reads records older than this many seconds (its iterator age), three minutes running."
  type        = number
  default     = 60

  validation {
    condition     = var.iterator_age_alarm_seconds >= 1 && var.iterator_age_alarm_seconds <= 86400
    error_message = "iterator_age_alarm_seconds must be between 1 and 86400 (the stream's 24 h retention)."
  }
}

variable "budget_usd" {
  description = "Monthly spend, in USD, whose 80% (actual) and 100% (forecast) trigger the budget e-mail."
  type        = number
  default     = 10
}

variable "endpoint_url" {
  description = "Send every AWS call to this endpoint (the local emulator, e.g. http://127.0.0.1:4566). Null for real AWS."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "lambda_architecture" {
  description = "Instruction set of the Lambda zips: arm64 for AWS (cheaper per GB-s), x86_64 for the local emulator, which runs the host binary."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_zip_dir" {
  description = "Folder holding the prebuilt zips (generator.zip, and transform.zip, which every transformer runs), relative to this folder or absolute."
  type        = string
  default     = "../dist/aws"
}

variable "lambda_memory_mb" {
  description = "Memory of every Lambda, in MB (Rust needs little; CPU scales with it)."
  type        = number
  default     = 128

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number from 128 to 10240."
  }
}

variable "log_retention_days" {
  description = "Retention of every log group, in days (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "results_retention_days" {
  description = "Days before result and error objects expire from the results bucket."
  type        = number
  default     = 30

  validation {
    condition     = var.results_retention_days >= 1 && floor(var.results_retention_days) == var.results_retention_days
    error_message = "results_retention_days must be a whole number of days, at least 1."
  }
}

variable "facts_base_url" {
  description = "Origin of the API Ninjas facts API."
  type        = string
  default     = "https://api.api-ninjas.com"
}

variable "api_throttle_rate" {
  description = "Steady-state requests per second the API stage allows (a guard for the bill; see max_events_per_request)."
  type        = number
  default     = 20

  validation {
    condition     = var.api_throttle_rate >= 1 && var.api_throttle_rate <= 10000
    error_message = "api_throttle_rate must be between 1 and 10000 requests per second."
  }
}

variable "api_throttle_burst" {
  description = "Burst of requests the API stage allows."
  type        = number
  default     = 40

  validation {
    condition     = var.api_throttle_burst >= 1 && var.api_throttle_burst <= 5000 && floor(var.api_throttle_burst) == var.api_throttle_burst
    error_message = "api_throttle_burst must be a whole number from 1 to 5000."
  }
}

variable "sqs_batch_size" {
  description = "Messages per transformer invocation: 1-10, or up to 10,000 with a batching window of at least 1 s (an AWS rule)."
  type        = number
  default     = 10

  validation {
    condition     = var.sqs_batch_size >= 1 && var.sqs_batch_size <= 10000 && floor(var.sqs_batch_size) == var.sqs_batch_size && (var.sqs_batch_size <= 10 || var.sqs_batching_window_seconds >= 1)
    error_message = "sqs_batch_size must be a whole number from 1 to 10, or up to 10000 with sqs_batching_window_seconds >= 1 (AWS rejects a larger batch without a window)."
  }
}

variable "sqs_batching_window_seconds" {
  description = "How long the SQS event source mapping may wait to fill a batch (0-300 s; the emulator ignores it)."
  type        = number
  default     = 0

  validation {
    condition     = var.sqs_batching_window_seconds >= 0 && var.sqs_batching_window_seconds <= 300 && floor(var.sqs_batching_window_seconds) == var.sqs_batching_window_seconds
    error_message = "sqs_batching_window_seconds must be a whole number from 0 to 300."
  }
}

variable "sqs_max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue."
  type        = number
  default     = 3

  validation {
    condition     = var.sqs_max_receive_count >= 1 && var.sqs_max_receive_count <= 1000 && floor(var.sqs_max_receive_count) == var.sqs_max_receive_count
    error_message = "sqs_max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "sqs_visibility_timeout_seconds" {
  description = "How long a message a consumer received stays hidden from the others (both queues). Empty: six times the transformer's timeout, as AWS advises. The test stack sets it short, so a drill's failed batch comes back in seconds, not minutes."
  type        = number
  default     = null

  validation {
    condition     = var.sqs_visibility_timeout_seconds == null || (try(var.sqs_visibility_timeout_seconds >= 30 && var.sqs_visibility_timeout_seconds <= 43200 && floor(var.sqs_visibility_timeout_seconds) == var.sqs_visibility_timeout_seconds, false))
    error_message = "sqs_visibility_timeout_seconds must be a whole number from 30 (the transformer's timeout: Lambda refuses a shorter one) to 43200."
  }
}

variable "sqs_provisioned_pollers" {
  description = "Provisioned mode for the SQS lane's event source mapping: event pollers kept ready (each about 5 MB/s), billed by poller capacity on AWS. Empty (the default): Lambda's on-demand polling. Planned by the tests, never applied on the emulator (MiniStack has no pollers to provision)."
  type = object({
    minimum = number
    maximum = number
  })
  default = null

  validation {
    condition = var.sqs_provisioned_pollers == null || (try(
      var.sqs_provisioned_pollers.minimum >= 2 && var.sqs_provisioned_pollers.minimum <= 200 &&
      var.sqs_provisioned_pollers.maximum >= var.sqs_provisioned_pollers.minimum && var.sqs_provisioned_pollers.maximum <= 2000 &&
      floor(var.sqs_provisioned_pollers.minimum) == var.sqs_provisioned_pollers.minimum &&
      floor(var.sqs_provisioned_pollers.maximum) == var.sqs_provisioned_pollers.maximum,
    false))
    error_message = "sqs_provisioned_pollers: minimum a whole number from 2 (SQS's floor) to 200, maximum from the minimum to 2000 (the pinned provider's ceiling; AWS takes up to 10,000 for SQS)."
  }
}

variable "kinesis_shard_count" {
  description = "Shards of the stream. Each costs about $0.015 per hour (about $11 a month) in us-east-1, used or not, and takes 1 MB/s or 1,000 records/s of writes."
  type        = number
  default     = 1

  validation {
    condition     = var.kinesis_shard_count >= 1 && var.kinesis_shard_count <= 16 && floor(var.kinesis_shard_count) == var.kinesis_shard_count
    error_message = "kinesis_shard_count must be a whole number from 1 to 16 (the lab caps it: each shard is billed by the hour)."
  }
}

variable "kinesis_batch_size" {
  description = "Records per Kinesis transformer invocation (1-10,000)."
  type        = number
  default     = 100

  validation {
    condition     = var.kinesis_batch_size >= 1 && var.kinesis_batch_size <= 10000 && floor(var.kinesis_batch_size) == var.kinesis_batch_size
    error_message = "kinesis_batch_size must be a whole number from 1 to 10000."
  }
}

variable "kinesis_batching_window_seconds" {
  description = "How long the Kinesis event source mapping may wait to fill a batch (0-300 s)."
  type        = number
  default     = 0

  validation {
    condition     = var.kinesis_batching_window_seconds >= 0 && var.kinesis_batching_window_seconds <= 300 && floor(var.kinesis_batching_window_seconds) == var.kinesis_batching_window_seconds
    error_message = "kinesis_batching_window_seconds must be a whole number from 0 to 300."
  }
}

variable "kinesis_starting_position" {
  description = "Where a new Kinesis event source mapping starts reading: TRIM_HORIZON (all retained records) or LATEST."
  type        = string
  default     = "TRIM_HORIZON"

  validation {
    condition     = contains(["TRIM_HORIZON", "LATEST"], var.kinesis_starting_position)
    error_message = "kinesis_starting_position must be TRIM_HORIZON or LATEST."
  }
}

variable "kinesis_max_retry_attempts" {
  description = "Retries of a failing Kinesis batch (halved each time) before it goes to the on-failure queue (0-10,000)."
  type        = number
  default     = 3

  validation {
    condition     = var.kinesis_max_retry_attempts >= 0 && var.kinesis_max_retry_attempts <= 10000 && floor(var.kinesis_max_retry_attempts) == var.kinesis_max_retry_attempts
    error_message = "kinesis_max_retry_attempts must be a whole number from 0 to 10000 (the lab keeps retries bounded: no -1)."
  }
}

variable "firehose_buffering_size_mb" {
  description = "Firehose delivers to S3 when this much has arrived (1-128 MB; 1 is the smallest AWS allows). The emulator does not buffer."
  type        = number
  default     = 1

  validation {
    condition     = var.firehose_buffering_size_mb >= 1 && var.firehose_buffering_size_mb <= 128 && floor(var.firehose_buffering_size_mb) == var.firehose_buffering_size_mb
    error_message = "firehose_buffering_size_mb must be a whole number from 1 to 128."
  }
}

variable "firehose_buffering_interval_seconds" {
  description = "...or when this long has passed (0-900 s; 0, the smallest, delivers within seconds). The emulator does not buffer."
  type        = number
  default     = 0

  validation {
    condition     = var.firehose_buffering_interval_seconds >= 0 && var.firehose_buffering_interval_seconds <= 900 && floor(var.firehose_buffering_interval_seconds) == var.firehose_buffering_interval_seconds
    error_message = "firehose_buffering_interval_seconds must be a whole number from 0 to 900."
  }
}

variable "firehose_processor_buffer_size_mb" {
  description = "Data Firehose gathers before invoking the transformer (0.2-3 MB); null keeps the AWS default (1 MB)."
  type        = number
  default     = null

  validation {
    condition     = var.firehose_processor_buffer_size_mb == null || try(var.firehose_processor_buffer_size_mb >= 0.2 && var.firehose_processor_buffer_size_mb <= 3, false)
    error_message = "firehose_processor_buffer_size_mb must be null or from 0.2 to 3."
  }
}

variable "firehose_processor_buffer_interval_seconds" {
  description = "Longest Firehose waits before invoking the transformer (0-900 s); null keeps the AWS default (60 s)."
  type        = number
  default     = null

  validation {
    condition     = var.firehose_processor_buffer_interval_seconds == null || try(var.firehose_processor_buffer_interval_seconds >= 0 && var.firehose_processor_buffer_interval_seconds <= 900, false)
    error_message = "firehose_processor_buffer_interval_seconds must be null or from 0 to 900."
  }
}

variable "max_events_per_request" {
  description = "Most events one API request may ask for (its count; /all sends that many to every lane). With api_throttle_rate it bounds the stack's worst-case publish rate and bill: rate x this x lanes events per second."
  type        = number
  default     = 10

  validation {
    condition     = var.max_events_per_request >= 1 && var.max_events_per_request <= 500 && floor(var.max_events_per_request) == var.max_events_per_request
    error_message = "max_events_per_request must be a whole number from 1 to 500 (500 is PutRecords' and PutRecordBatch's limit per call)."
  }
}
