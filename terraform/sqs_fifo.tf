# SQS FIFO: order within each message group (ten id bands, eventlab_schema::fifo_group),
# deduplication by event_id, batches of at most 10.
resource "aws_sqs_queue" "fifo_dlq" {
  name                      = "${var.name_prefix}-events-dlq.fifo"
  fifo_queue                = true
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue_redrive_allow_policy" "fifo_dlq" {
  queue_url = aws_sqs_queue.fifo_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.fifo.arn]
  })
}

resource "aws_sqs_queue" "fifo" {
  name                        = "${var.name_prefix}-events.fifo"
  fifo_queue                  = true
  content_based_deduplication = false
  # High-throughput mode: deduplication and throughput limits per message group, so the
  # quota grows with the number of groups (ten here).
  deduplication_scope        = "messageGroup"
  fifo_throughput_limit      = "perMessageGroupId"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = local.sqs_visibility_timeout_seconds

  # A message that keeps failing blocks its group until it moves here.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.fifo_dlq.arn
    maxReceiveCount     = var.sqs_max_receive_count
  })
}

resource "aws_lambda_event_source_mapping" "sqs_fifo" {
  event_source_arn        = aws_sqs_queue.fifo.arn
  function_name           = aws_lambda_function.this["transform-sqs-fifo"].arn
  batch_size              = 10 # a FIFO mapping's maximum
  function_response_types = ["ReportBatchItemFailures"]

  depends_on = [aws_iam_role_policy.consume_queue, aws_iam_role_policy.write_results]
}
