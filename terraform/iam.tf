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
        Resource = [
          aws_ssm_parameter.sqs_queue_url.arn,
          aws_ssm_parameter.facts_api_key.arn,
        ]
      },
      {
        Sid      = "PublishSqs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.events.arn
      },
    ]
  })
}

# SQS transformer: consume its queue, write its own prefixes of the results bucket.
resource "aws_iam_role_policy" "transform_sqs" {
  name = "consume-sqs-write-results"
  role = aws_iam_role.function["transform-sqs"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ConsumeQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
        Resource = aws_sqs_queue.events.arn
      },
      {
        Sid    = "WriteResults"
        Effect = "Allow"
        Action = ["s3:PutObject"]
        Resource = [
          "${aws_s3_bucket.results.arn}/results/sqs/*",
          "${aws_s3_bucket.results.arn}/errors/sqs/*",
        ]
      },
    ]
  })
}
