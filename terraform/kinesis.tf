resource "aws_kinesis_stream" "events" {
  name             = "${var.name_prefix}-events"
  shard_count      = var.kinesis_shard_count
  retention_period = 24
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}

# Batches that still fail after the retries (record metadata, not the records).
resource "aws_sqs_queue" "kinesis_failures" {
  name                      = "${var.name_prefix}-kinesis-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_lambda_event_source_mapping" "kinesis" {
  event_source_arn                   = aws_kinesis_stream.events.arn
  function_name                      = aws_lambda_function.this["transform-kinesis"].arn
  starting_position                  = var.kinesis_starting_position
  batch_size                         = var.kinesis_batch_size
  maximum_batching_window_in_seconds = var.kinesis_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.kinesis_max_retry_attempts
  maximum_record_age_in_seconds      = 3600

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.kinesis_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.transform_kinesis]
}
