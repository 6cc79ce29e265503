output "api_url" {
  description = "Base URL of the lab's API: POST <api_url>/<service> with a bearer token."
  # The emulator serves every API under its own path; AWS gives each API a host name.
  value = local.emulated ? "${var.endpoint_url}/_aws/execute-api/${aws_apigatewayv2_api.lab.id}" : trimsuffix(aws_apigatewayv2_stage.default.invoke_url, "/")
}

output "api_id" {
  value = aws_apigatewayv2_api.lab.id
}

output "region" {
  value = local.region
}

output "endpoint_url" {
  description = "Where the stack's AWS APIs are (null on AWS)."
  value       = var.endpoint_url
}

output "name_prefix" {
  value = var.name_prefix
}

output "user_pool_id" {
  value = aws_cognito_user_pool.learners.id
}

output "user_pool_client_id" {
  value = aws_cognito_user_pool_client.cli.id
}

output "results_bucket" {
  value = aws_s3_bucket.results.bucket
}

output "sqs_queue_url" {
  value = aws_sqs_queue.events.url
}

output "sqs_dlq_url" {
  value = aws_sqs_queue.events_dlq.url
}

output "eventbridge_bus_name" {
  value = aws_cloudwatch_event_bus.lab.name
}

output "eventbridge_dlq_url" {
  value = aws_sqs_queue.eventbridge_dlq.url
}

output "kinesis_stream_name" {
  value = aws_kinesis_stream.events.name
}

output "kinesis_shard_count" {
  value = aws_kinesis_stream.events.shard_count
}

output "kinesis_failures_url" {
  value = aws_sqs_queue.kinesis_failures.url
}

output "firehose_stream_name" {
  value = aws_kinesis_firehose_delivery_stream.events.name
}

output "sns_topic_arn" {
  value = aws_sns_topic.events.arn
}

output "sns_fanout_queue_url" {
  description = "The topic's second subscriber: a raw-delivery queue nothing consumes, to show fan-out."
  value       = aws_sqs_queue.sns_fanout.url
}

output "sqs_fifo_queue_url" {
  value = aws_sqs_queue.fifo.url
}

output "dynamodb_table_name" {
  value = aws_dynamodb_table.events.name
}

output "parameter_prefix" {
  value = local.parameter_prefix
}

output "functions" {
  description = "Lambda function names by role in the lab."
  value       = { for key, function in aws_lambda_function.this : key => function.function_name }
}

output "idle_cost_per_hour_usd" {
  description = "What the stack costs per hour with no traffic (us-east-1 list prices): Kinesis shards, and the SQS event source mapping's long polls. Everything else is billed per use."
  value       = local.idle_cost_per_hour_usd
}

output "max_events_per_request" {
  description = "Most events one API request may ask for (the generator answers 400 above it)."
  value       = var.max_events_per_request
}

output "max_publish_rate_per_second" {
  description = "Worst case the API allows: api_throttle_rate requests/s x max_events_per_request x lanes (POST /all)."
  value       = local.max_publish_rate_per_second
}

output "facts_api_key_parameter" {
  description = "The SSM SecureString the generator reads the facts API key from (make api-key-aws writes it)."
  value       = aws_ssm_parameter.facts_api_key.name
}

output "account_id" {
  description = "The account the stack was applied to (the assumed role's, when one is set)."
  value       = local.account_id
}

output "aws_profile" {
  description = "The named profile Terraform used; the lab's tools use the same one."
  value       = var.aws_profile
}

output "assume_role_arn" {
  description = "The role Terraform assumed; the lab's tools assume the same one."
  value       = var.assume_role_arn
}

output "results_retention_days" {
  description = "Days results stay in the bucket: the bench prices their storage for this long."
  value       = var.results_retention_days
}

output "batching" {
  description = "The consumers' batching settings as applied: the bench models AWS's cost and wait for exactly these, and prices Firehose's multipart delivery under a 60 s interval."
  value = {
    sqs_batch_size                      = var.sqs_batch_size
    sqs_batching_window_seconds         = var.sqs_batching_window_seconds
    kinesis_batch_size                  = var.kinesis_batch_size
    kinesis_batching_window_seconds     = var.kinesis_batching_window_seconds
    firehose_buffering_size_mb          = var.firehose_buffering_size_mb
    firehose_buffering_interval_seconds = var.firehose_buffering_interval_seconds
    sqs_fifo_batch_size                 = aws_lambda_event_source_mapping.sqs_fifo.batch_size
    dynamodb_batch_size                 = aws_lambda_event_source_mapping.dynamodb.batch_size
  }
}

output "results_created_queue_url" {
  description = "One notice per object the results bucket gains: what the live view reads to learn what landed."
  value       = aws_sqs_queue.results_created.url
}

output "failure_queue_urls" {
  description = "Each lane's dead-letter or on-failure queue (Firehose has none: its failures go to errors/firehose/ in the bucket). The bench reports their depth after a run."
  value       = { for lane, queue in local.failure_queues : lane => queue.url }
}

output "alarm_topic_arn" {
  description = "The SNS topic the lab's CloudWatch alarms notify (alarm_email subscribes an address to it)."
  value       = aws_sns_topic.alarms.arn
}
