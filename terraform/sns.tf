# SNS: a standard topic pushes each message to the transformer (asynchronous invoke, one
# message per invocation) and, to show fan-out, to a raw-delivery SQS queue nobody reads
# but the learner.
resource "aws_sns_topic" "events" {
  name              = "${var.name_prefix}-events"
  kms_master_key_id = "alias/aws/sns"

  # Delivery to Lambda: SNS retries a failed *delivery* (throttling, no permission) on this
  # policy; the function's own errors are Lambda's async retries (transform_sns below).
  delivery_policy = jsonencode({
    http = {
      defaultHealthyRetryPolicy = {
        numRetries         = 3
        minDelayTarget     = 1
        maxDelayTarget     = 20
        numNoDelayRetries  = 0
        numMinDelayRetries = 0
        numMaxDelayRetries = 0
        backoffFunction    = "exponential"
      }
    }
  })
}

# Messages SNS could not deliver at all, and events the transformer failed on for good.
resource "aws_sqs_queue" "sns_dlq" {
  name                      = "${var.name_prefix}-sns-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sns_topic_subscription" "transform" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this["transform-sns"].arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.sns_dlq.arn
  })

  depends_on = [aws_lambda_permission.sns_invokes_transformer, aws_sqs_queue_policy.topic_delivers]
}

resource "aws_lambda_permission" "sns_invokes_transformer" {
  statement_id  = "AllowSnsInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["transform-sns"].function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.events.arn
}

resource "aws_lambda_function_event_invoke_config" "transform_sns" {
  function_name                = aws_lambda_function.this["transform-sns"].function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.sns_dlq.arn
    }
  }

  depends_on = [aws_iam_role_policy.dead_letters]
}

# Fan-out: the same messages, raw (no SNS envelope), in a queue of their own. Nothing
# consumes it: a learner reads it (aws sqs receive-message) to see a second subscriber get
# every message; a day's retention keeps it from growing.
resource "aws_sqs_queue" "sns_fanout" {
  name                      = "${var.name_prefix}-sns-fanout"
  message_retention_seconds = 86400
  sqs_managed_sse_enabled   = true
}

# The topic may send to both of its queues: the dead-letter queue and the fan-out one.
data "aws_iam_policy_document" "topic_delivers" {
  for_each = { dlq = aws_sqs_queue.sns_dlq.arn, fanout = aws_sqs_queue.sns_fanout.arn }

  statement {
    sid       = "TopicDelivers"
    actions   = ["sqs:SendMessage"]
    resources = [each.value]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "topic_delivers" {
  for_each = { dlq = aws_sqs_queue.sns_dlq.id, fanout = aws_sqs_queue.sns_fanout.id }

  queue_url = each.value
  policy    = data.aws_iam_policy_document.topic_delivers[each.key].json
}

resource "aws_sns_topic_subscription" "fanout" {
  topic_arn            = aws_sns_topic.events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.sns_fanout.arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.topic_delivers]
}
