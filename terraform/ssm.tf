# Targets the generator resolves once per cold start, all under one path.
resource "aws_ssm_parameter" "sqs_queue_url" {
  name  = "${local.parameter_prefix}sqs/queue-url"
  type  = "String"
  value = aws_sqs_queue.events.url
}

# The API Ninjas key. Terraform writes a placeholder through a write-only attribute, so
# neither it nor the real key (set by the learner with `aws ssm put-parameter --overwrite`)
# ever enters Terraform state. The generator treats the placeholder as "no key".
resource "aws_ssm_parameter" "facts_api_key" {
  name             = "${local.parameter_prefix}facts/api-key"
  description      = "API Ninjas key for the facts API; set it yourself, Terraform only creates the placeholder."
  type             = "SecureString"
  value_wo         = "unset"
  value_wo_version = 1
}
