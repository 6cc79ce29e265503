# The lab's own bus: the generator puts events on it, one rule sends them to the
# transformer. EventBridge invokes the function asynchronously, once per event.
resource "aws_cloudwatch_event_bus" "lab" {
  name = "${var.name_prefix}-bus"
}

resource "aws_cloudwatch_event_rule" "lab_events" {
  name           = "${var.name_prefix}-lab-events"
  description    = "Every event the generator publishes"
  event_bus_name = aws_cloudwatch_event_bus.lab.name
  event_pattern = jsonencode({
    source        = ["eventlab.generator"] # eventlab_schema::EVENTBRIDGE_SOURCE
    "detail-type" = ["LabEvent"]           # eventlab_schema::EVENTBRIDGE_DETAIL_TYPE
  })
}

# Events EventBridge could not deliver, and invocations that kept failing.
resource "aws_sqs_queue" "eventbridge_dlq" {
  name                      = "${var.name_prefix}-eventbridge-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "eventbridge_dlq" {
  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.eventbridge_dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.lab_events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "eventbridge_dlq" {
  queue_url = aws_sqs_queue.eventbridge_dlq.id
  policy    = data.aws_iam_policy_document.eventbridge_dlq.json
}

resource "aws_cloudwatch_event_target" "transform" {
  rule           = aws_cloudwatch_event_rule.lab_events.name
  event_bus_name = aws_cloudwatch_event_bus.lab.name
  target_id      = "transform-eventbridge"
  arn            = aws_lambda_function.this["transform-eventbridge"].arn

  # Delivery to Lambda: retried for up to an hour, then to the dead-letter queue.
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.eventbridge_dlq.arn
  }
}

resource "aws_lambda_permission" "eventbridge_invokes_transformer" {
  statement_id  = "AllowEventBridgeInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["transform-eventbridge"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.lab_events.arn
}

# The function's own failures (a result it could not write): two async retries, then the
# same dead-letter queue.
resource "aws_lambda_function_event_invoke_config" "transform_eventbridge" {
  function_name                = aws_lambda_function.this["transform-eventbridge"].function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.eventbridge_dlq.arn
    }
  }

  depends_on = [aws_iam_role_policy.dead_letters]
}
