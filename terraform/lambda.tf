# The Lambdas run prebuilt zips (the Makefile builds them): Terraform only references them.
resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:Encrypted at rest with the service's key; a customer key costs $1/month and adds KMS grants to a throwaway lab.
  #checkov:skip=CKV_AWS_338:A throwaway lab keeps logs briefly (log_retention_days) to bound cost.
  for_each = local.functions

  name              = "/aws/lambda/${var.name_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:No async caller needs a DLQ: API Gateway, SQS, Kinesis and Firehose invoke synchronously (with their own DLQ or on-failure destination); the EventBridge target has an on-failure destination (eventbridge.tf).
  #checkov:skip=CKV_AWS_117:Nothing private to reach; a VPC would need NAT or endpoints and would change the latencies the lab measures.
  #checkov:skip=CKV_AWS_115:Throwaway accounts often have a concurrency quota of 10, which reservations would exhaust; the API stage throttles instead.
  #checkov:skip=CKV_AWS_272:The learner builds the zips locally; code signing would need a Signer profile per learner.
  #checkov:skip=CKV_AWS_173:The environment holds no secret (a parameter prefix, a bucket name, a URL); the API key stays in SSM.
  #checkov:skip=CKV_AWS_50:Active X-Ray tracing adds per-trace cost and latency to the very figures the bench measures.
  for_each = local.functions

  function_name = "${var.name_prefix}-${each.key}"
  description   = each.value.description
  role          = aws_iam_role.function[each.key].arn
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = [var.lambda_architecture]
  filename      = "${local.zip_dir}/${each.value.zip}.zip"
  # try(): Terraform evaluates this at destroy too, when the build folder may be gone; the
  # precondition below still stops a create or update that has no zip.
  source_code_hash = try(filebase64sha256("${local.zip_dir}/${each.value.zip}.zip"), null)
  memory_size      = var.lambda_memory_mb
  timeout          = each.value.timeout

  environment {
    variables = each.value.environment
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  # The log group must exist first, or Lambda creates one without retention.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.logs]

  lifecycle {
    precondition {
      condition     = fileexists("${local.zip_dir}/${each.value.zip}.zip")
      error_message = "${local.zip_dir}/${each.value.zip}.zip is missing: build the zips first (make deploy builds them; make build for the local stack)."
    }
  }
}

resource "aws_lambda_event_source_mapping" "sqs" {
  event_source_arn                   = aws_sqs_queue.events.arn
  function_name                      = aws_lambda_function.this["transform-sqs"].arn
  batch_size                         = var.sqs_batch_size
  maximum_batching_window_in_seconds = var.sqs_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  dynamic "provisioned_poller_config" {
    for_each = var.sqs_provisioned_pollers == null ? [] : [var.sqs_provisioned_pollers]
    content {
      minimum_pollers = provisioned_poller_config.value.minimum
      maximum_pollers = provisioned_poller_config.value.maximum
    }
  }

  depends_on = [aws_iam_role_policy.consume_queue, aws_iam_role_policy.write_results]
}
