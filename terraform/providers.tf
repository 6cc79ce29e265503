# One provider definition for AWS and for the local emulator: with endpoint_url set,
# every service this stack uses is sent there and AWS-only checks are skipped.
provider "aws" {
  region  = var.region
  profile = var.aws_profile

  dynamic "assume_role" {
    for_each = var.assume_role_arn == null ? [] : [var.assume_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "${var.name_prefix}-terraform"
    }
  }

  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  s3_use_path_style           = local.emulated

  dynamic "endpoints" {
    for_each = local.emulated ? [var.endpoint_url] : []
    content {
      apigatewayv2   = endpoints.value
      budgets        = endpoints.value
      cloudwatch     = endpoints.value
      cloudwatchlogs = endpoints.value
      cognitoidp     = endpoints.value
      dynamodb       = endpoints.value
      eventbridge    = endpoints.value
      firehose       = endpoints.value
      iam            = endpoints.value
      kinesis        = endpoints.value
      lambda         = endpoints.value
      s3             = endpoints.value
      sns            = endpoints.value
      sqs            = endpoints.value
      ssm            = endpoints.value
      sts            = endpoints.value
    }
  }

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
