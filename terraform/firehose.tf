# Firehose writes the results itself: the transformer is its data-transformation
# processor, and the stream delivers the processed records to the results bucket.
resource "aws_cloudwatch_log_group" "firehose" {
  #checkov:skip=CKV_AWS_158:Encrypted at rest with the service's key; a customer key costs $1/month and adds KMS grants to a throwaway lab.
  #checkov:skip=CKV_AWS_338:A throwaway lab keeps logs briefly (log_retention_days) to bound cost.
  name              = "/aws/kinesisfirehose/${var.name_prefix}-events"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_stream" "firehose_delivery" {
  name           = "DestinationDelivery"
  log_group_name = aws_cloudwatch_log_group.firehose.name
}

locals {
  # Processor parameters equal to AWS's defaults are dropped by the provider (a diff on
  # every plan), so only the ones the learner chose are set.
  firehose_processor_buffering = {
    for name, value in {
      BufferSizeInMBs         = var.firehose_processor_buffer_size_mb
      BufferIntervalInSeconds = var.firehose_processor_buffer_interval_seconds
    } : name => tostring(value) if value != null
  }
}

resource "aws_kinesis_firehose_delivery_stream" "events" {
  #checkov:skip=CKV_AWS_241:Encrypted with an AWS-owned key; a customer key adds cost and KMS grants the lab does not need.
  name        = "${var.name_prefix}-events"
  destination = "extended_s3"

  server_side_encryption {
    enabled  = true
    key_type = "AWS_OWNED_CMK"
  }

  extended_s3_configuration {
    role_arn   = aws_iam_role.firehose.arn
    bucket_arn = aws_s3_bucket.results.arn
    # No expression in the prefix: Firehose appends yyyy/MM/dd/HH/ (UTC) itself.
    prefix              = "results/firehose/"
    error_output_prefix = "errors/firehose/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    buffering_size      = var.firehose_buffering_size_mb
    buffering_interval  = var.firehose_buffering_interval_seconds

    processing_configuration {
      enabled = true

      processors {
        type = "Lambda"

        parameters {
          parameter_name  = "LambdaArn"
          parameter_value = "${aws_lambda_function.this["transform-firehose"].arn}:$LATEST"
        }

        dynamic "parameters" {
          for_each = local.firehose_processor_buffering
          content {
            parameter_name  = parameters.key
            parameter_value = parameters.value
          }
        }
      }
    }

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose.name
      log_stream_name = aws_cloudwatch_log_stream.firehose_delivery.name
    }
  }

  depends_on = [aws_iam_role_policy.firehose]
}

data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.name_prefix}-firehose"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json
}

# Deliver to its own prefixes of the bucket, run the processor, log delivery errors.
resource "aws_iam_role_policy" "firehose" {
  name = "deliver-and-transform"
  role = aws_iam_role.firehose.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Bucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
        Resource = aws_s3_bucket.results.arn
      },
      {
        Sid    = "Objects"
        Effect = "Allow"
        Action = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
        Resource = [
          "${aws_s3_bucket.results.arn}/results/firehose/*",
          "${aws_s3_bucket.results.arn}/errors/firehose/*",
        ]
      },
      {
        Sid    = "Processor"
        Effect = "Allow"
        Action = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"]
        Resource = [
          aws_lambda_function.this["transform-firehose"].arn,
          "${aws_lambda_function.this["transform-firehose"].arn}:*",
        ]
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.firehose.arn}:*"
      },
    ]
  })
}
