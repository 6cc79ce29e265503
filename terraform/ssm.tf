# Targets the generator resolves once per cold start, all under one path.
resource "aws_ssm_parameter" "target" {
  #checkov:skip=CKV2_AWS_34:Resource names, queue URLs and a topic ARN, not secrets; the only secret is the SecureString below.
  for_each = {
    "eventbridge/bus-name" = aws_cloudwatch_event_bus.lab.name
    "sqs/queue-url"        = aws_sqs_queue.events.url
    "kinesis/stream-name"  = aws_kinesis_stream.events.name
    "firehose/stream-name" = aws_kinesis_firehose_delivery_stream.events.name
    "sns/topic-arn"        = aws_sns_topic.events.arn
    "sqs-fifo/queue-url"   = aws_sqs_queue.fifo.url
    "dynamodb/table-name"  = aws_dynamodb_table.events.name
  }

  name  = "${local.parameter_prefix}${each.key}"
  type  = "String"
  value = each.value
}

# The API Ninjas key. Terraform writes a placeholder through a write-only attribute, so
# neither it nor the real key (set by the learner with `aws ssm put-parameter --overwrite`)
# ever enters Terraform state. The generator treats the placeholder as "no key".
resource "aws_ssm_parameter" "facts_api_key" {
  #checkov:skip=CKV_AWS_337:The AWS-managed aws/ssm key encrypts it; a customer key would add cost and a kms:Decrypt grant.
  name             = "${local.parameter_prefix}facts/api-key"
  description      = "API Ninjas key for the facts API; set it yourself, Terraform only creates the placeholder."
  type             = "SecureString"
  value_wo         = "unset"
  value_wo_version = 1
}
