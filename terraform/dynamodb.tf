# DynamoDB Streams: events written as items; the table's stream (new images) feeds the
# transformer. Items expire by TTL so the table does not grow.
resource "aws_dynamodb_table" "events" {
  #checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS-owned key; a customer key costs $1/month and adds KMS grants to a throwaway lab.
  #checkov:skip=CKV_AWS_28:Items live for a day and can be published again from the generator: backups would only cost.
  name             = "${var.name_prefix}-events"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "event_id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "event_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

# Batches that still fail after the retries (record metadata, not the records).
resource "aws_sqs_queue" "dynamodb_failures" {
  name                      = "${var.name_prefix}-dynamodb-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_lambda_event_source_mapping" "dynamodb" {
  event_source_arn               = aws_dynamodb_table.events.stream_arn
  function_name                  = aws_lambda_function.this["transform-dynamodb"].arn
  starting_position              = "LATEST"
  batch_size                     = 100
  function_response_types        = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = 3
  maximum_record_age_in_seconds  = 3600

  # Only new items carry an event; TTL deletions (REMOVE) would invoke the function for
  # nothing a day later. The handler skips them too.
  filter_criteria {
    filter {
      pattern = jsonencode({ eventName = ["INSERT"] })
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.dynamodb_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.transform_dynamodb, aws_iam_role_policy.write_results]
}
