locals {
  emulated = var.endpoint_url != null

  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Every lab parameter sits under this path; the generator reads them all in one call.
  parameter_prefix = "/${var.name_prefix}/"

  # Every service has a lane: a route, a publisher and a transformer.
  services = ["eventbridge", "sqs", "kinesis", "firehose", "sns", "sqs-fifo", "dynamodb"]

  tags = merge(
    {
      project    = "eventlab"
      stack      = var.name_prefix
      managed_by = "terraform"
    },
    var.tags,
  )

  # $0.015 per shard-hour; each SQS event source mapping's 5 pollers × 180 long polls an
  # hour, at $0.40 (standard) and $0.50 (FIFO) per million requests. Lambda's reads of a
  # DynamoDB stream are free; the table and the topic cost nothing idle.
  idle_cost_per_hour_usd = var.kinesis_shard_count * 0.015 + 5 * 180 * (0.40 + 0.50) / 1000000

  # The most events per second the API can make the stack publish: every request at the
  # stage's throttle, each at the cap, each to every lane (POST /all).
  max_publish_rate_per_second = var.api_throttle_rate * var.max_events_per_request * length(local.services)

  # AWS advises six times the consumer's timeout, so a message in a batch that is being
  # retried is not handed to a second consumer meanwhile.
  sqs_visibility_timeout_seconds = coalesce(var.sqs_visibility_timeout_seconds, 6 * local.transformer_timeout)
  transformer_timeout            = 30

  zip_dir = startswith(var.lambda_zip_dir, "/") ? var.lambda_zip_dir : "${path.module}/${var.lambda_zip_dir}"

  # Every Lambda of the lab; iam.tf gives each its own role, lambda.tf the rest. The seven
  # transformers run one binary (transform.zip); EVENTLAB_LANE tells each its lane.
  functions = merge(
    {
      generator = {
        description = "Builds lab events and publishes them to the service named by the route"
        zip         = "generator"
        timeout     = 10
        environment = {
          EVENTLAB_PARAMETER_PREFIX       = local.parameter_prefix
          FACTS_BASE_URL                  = var.facts_base_url
          FACTS_TIMEOUT_MS                = "800"
          EVENTLAB_MAX_EVENTS_PER_REQUEST = tostring(var.max_events_per_request)
        }
      }
    },
    {
      for service in local.services : "transform-${service}" => {
        description = "Transforms ${service} events and writes results to S3"
        zip         = "transform"
        timeout     = local.transformer_timeout
        environment = {
          EVENTLAB_LANE  = service
          RESULTS_BUCKET = aws_s3_bucket.results.bucket
        }
      }
    },
  )
}
