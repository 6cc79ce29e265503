# One role per Lambda, each allowed only what that function does.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# Writing its own log group, nothing else.
resource "aws_iam_role_policy" "logs" {
  for_each = local.functions

  name = "logs"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.function[each.key].arn}:*"
    }]
  })
}

# Generator: read its parameters once at init, publish to the lanes.
resource "aws_iam_role_policy" "generator" {
  name = "read-targets-and-publish"
  role = aws_iam_role.function["generator"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadTargets"
        Effect = "Allow"
        Action = ["ssm:GetParameters"]
        # The API key uses the AWS-managed aws/ssm key, whose key policy lets SSM decrypt for
        # this account's principals: no kms:Decrypt grant is needed.
        Resource = concat([for parameter in aws_ssm_parameter.target : parameter.arn], [aws_ssm_parameter.facts_api_key.arn])
      },
      {
        Sid      = "PublishEventBridge"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = aws_cloudwatch_event_bus.lab.arn
      },
      {
        Sid      = "PublishSqs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.events.arn
      },
      {
        # The stream uses the AWS-managed aws/kinesis key: no KMS grant is needed.
        Sid      = "PublishKinesis"
        Effect   = "Allow"
        Action   = ["kinesis:PutRecords"]
        Resource = aws_kinesis_stream.events.arn
      },
      {
        Sid      = "PublishFirehose"
        Effect   = "Allow"
        Action   = ["firehose:PutRecordBatch"]
        Resource = aws_kinesis_firehose_delivery_stream.events.arn
      },
      {
        # PublishBatch is authorised as sns:Publish. The topic uses the AWS-managed aws/sns
        # key, which this account's principals may use through SNS: no KMS grant is needed.
        Sid      = "PublishSns"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = aws_sns_topic.events.arn
      },
      {
        Sid      = "PublishSqsFifo"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.fifo.arn
      },
      {
        Sid      = "WriteDynamoDbItems"
        Effect   = "Allow"
        Action   = ["dynamodb:BatchWriteItem"]
        Resource = aws_dynamodb_table.events.arn
      },
    ]
  })
}

# Every transformer writes its rejected records under errors/<service>/rejected/; all but
# Firehose's (Firehose delivers those results itself) also write results/<service>/.
resource "aws_iam_role_policy" "write_results" {
  for_each = toset(local.services)

  name = "write-results"
  role = aws_iam_role.function["transform-${each.key}"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "WriteOwnPrefixes"
      Effect = "Allow"
      Action = ["s3:PutObject"]
      Resource = concat(
        ["${aws_s3_bucket.results.arn}/errors/${each.key}/rejected/*"],
        each.key == "firehose" ? [] : ["${aws_s3_bucket.results.arn}/results/${each.key}/*"],
      )
    }]
  })
}

# Queue transformers (SQS, SQS FIFO): consume their own queue.
resource "aws_iam_role_policy" "consume_queue" {
  for_each = {
    sqs        = aws_sqs_queue.events.arn
    "sqs-fifo" = aws_sqs_queue.fifo.arn
  }

  name = "consume-queue"
  role = aws_iam_role.function["transform-${each.key}"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ConsumeQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      Resource = each.value
    }]
  })
}

moved {
  from = aws_iam_role_policy.transform_sqs
  to   = aws_iam_role_policy.consume_queue["sqs"]
}

# Asynchronously invoked transformers (EventBridge, SNS): send invocations that keep
# failing to their lane's dead-letter queue (the on-failure destination).
resource "aws_iam_role_policy" "dead_letters" {
  for_each = {
    eventbridge = aws_sqs_queue.eventbridge_dlq.arn
    sns         = aws_sqs_queue.sns_dlq.arn
  }

  name = "dead-letters"
  role = aws_iam_role.function["transform-${each.key}"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DeadLetters"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = each.value
    }]
  })
}

moved {
  from = aws_iam_role_policy.transform_eventbridge
  to   = aws_iam_role_policy.dead_letters["eventbridge"]
}

# Kinesis transformer: read its stream, report batches that keep failing.
resource "aws_iam_role_policy" "transform_kinesis" {
  name = "consume-stream"
  role = aws_iam_role.function["transform-kinesis"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadStream"
        Effect = "Allow"
        Action = [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
        ]
        Resource = aws_kinesis_stream.events.arn
      },
      {
        Sid      = "ReportFailedBatches"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.kinesis_failures.arn
      },
    ]
  })
}

# DynamoDB transformer: read the table's stream, report batches that keep failing.
resource "aws_iam_role_policy" "transform_dynamodb" {
  name = "consume-stream"
  role = aws_iam_role.function["transform-dynamodb"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadStream"
        Effect = "Allow"
        Action = [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
        ]
        Resource = aws_dynamodb_table.events.stream_arn
      },
      {
        # Lambda lists the table's streams to find the one it reads.
        Sid      = "ListStreams"
        Effect   = "Allow"
        Action   = ["dynamodb:ListStreams"]
        Resource = "${aws_dynamodb_table.events.arn}/stream/*"
      },
      {
        Sid      = "ReportFailedBatches"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.dynamodb_failures.arn
      },
    ]
  })
}
