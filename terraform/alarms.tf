# Alarms on every queue where failed events end up, and on how far the stream consumers
# lag: the signals to watch when a lane goes wrong. They notify one topic; an e-mail
# subscription is optional (alarm_email).
#
# The emulator keeps no SQS or Lambda stream metrics, so locally these alarms exist but
# stay INSUFFICIENT_DATA; the bench reads the same queues directly after each run.

locals {
  # Each lane's dead-letter or on-failure queue. Firehose has none: the records it could
  # not process or deliver go to errors/firehose/ in the results bucket.
  failure_queues = {
    sqs         = aws_sqs_queue.events_dlq
    eventbridge = aws_sqs_queue.eventbridge_dlq
    kinesis     = aws_sqs_queue.kinesis_failures
    sns         = aws_sqs_queue.sns_dlq
    sqs-fifo    = aws_sqs_queue.fifo_dlq
    dynamodb    = aws_sqs_queue.dynamodb_failures
  }

  # Transformers that read a stream through an event source mapping.
  stream_consumers = {
    kinesis  = aws_lambda_function.this["transform-kinesis"].function_name
    dynamodb = aws_lambda_function.this["transform-dynamodb"].function_name
  }
}

resource "aws_sns_topic" "alarms" {
  #checkov:skip=CKV_AWS_26:CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key; a customer key ($1/month) is not worth it for alarm names and states.
  name = "${var.name_prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "failure_queue_not_empty" {
  for_each = local.failure_queues

  alarm_name        = "${var.name_prefix}-${each.key}-failures-waiting"
  alarm_description = "Events of the ${each.key} lane failed for good and wait in ${each.value.name}: read them, fix the cause, then redrive or purge."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions        = { QueueName = each.value.name }
  statistic         = "Maximum"
  # SQS sends these metrics every minute; one breaching minute is enough.
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # An idle queue stops reporting: that is not a failure.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.alarms.arn]
  ok_actions         = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  for_each = local.stream_consumers

  alarm_name          = "${var.name_prefix}-${each.key}-consumer-lagging"
  alarm_description   = "The ${each.key} transformer reads records more than ${var.iterator_age_alarm_seconds} s after they were written: it is failing or cannot keep up."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_alarm_seconds * 1000
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
