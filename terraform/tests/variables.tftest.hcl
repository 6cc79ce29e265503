# Variables AWS would reject, or that would bound nothing, fail at plan with a clear message
# (`terraform test` with a mocked provider: no account, no emulator).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  lambda_zip_dir = "tests/zips"
}

run "the_defaults_plan_and_bound_the_publish_rate" {
  command = plan
  assert {
    condition     = output.max_events_per_request == 10
    error_message = "the AWS default cap on events per request should be 10"
  }
  assert {
    condition     = output.max_publish_rate_per_second == 20 * 10 * 7
    error_message = "the worst-case publish rate should be throttle x cap x lanes"
  }
}

run "sqs_batch_above_10_needs_a_window" {
  command = plan
  variables {
    sqs_batch_size = 11
  }
  expect_failures = [var.sqs_batch_size]
}

run "sqs_batch_above_10_with_a_window_plans" {
  command = plan
  variables {
    sqs_batch_size              = 100
    sqs_batching_window_seconds = 1
  }
}

run "firehose_buffering_size_is_bounded" {
  command = plan
  variables {
    firehose_buffering_size_mb = 129
  }
  expect_failures = [var.firehose_buffering_size_mb]
}

run "firehose_buffering_interval_is_bounded" {
  command = plan
  variables {
    firehose_buffering_interval_seconds = 901
  }
  expect_failures = [var.firehose_buffering_interval_seconds]
}

run "firehose_processor_buffer_is_bounded" {
  command = plan
  variables {
    firehose_processor_buffer_size_mb = 4
  }
  expect_failures = [var.firehose_processor_buffer_size_mb]
}

run "kinesis_batch_is_bounded" {
  command = plan
  variables {
    kinesis_batch_size = 10001
  }
  expect_failures = [var.kinesis_batch_size]
}

run "kinesis_window_is_bounded" {
  command = plan
  variables {
    kinesis_batching_window_seconds = 301
  }
  expect_failures = [var.kinesis_batching_window_seconds]
}

run "the_per_request_cap_is_bounded" {
  command = plan
  variables {
    max_events_per_request = 501
  }
  expect_failures = [var.max_events_per_request]
}

run "log_retention_takes_only_values_cloudwatch_accepts" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "alarms_watch_every_failure_queue_and_subscribe_no_one_by_default" {
  command = plan
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.failure_queue_not_empty) == 6 && length(aws_sns_topic_subscription.alarm_email) == 0
    error_message = "one alarm per dead-letter or on-failure queue, and no e-mail unless asked"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.iterator_age) == 2
    error_message = "the Kinesis and DynamoDB stream consumers each have an iterator-age alarm"
  }
}

run "an_alarm_email_subscribes_it" {
  command = plan
  variables {
    alarm_email = "learner@example.com"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.alarm_email) == 1
    error_message = "alarm_email should subscribe that address to the alarm topic"
  }
}

run "alarm_email_must_be_an_address" {
  command = plan
  variables {
    alarm_email = "not an address"
  }
  expect_failures = [var.alarm_email]
}

run "iterator_age_alarm_is_bounded_by_retention" {
  command = plan
  variables {
    iterator_age_alarm_seconds = 90000
  }
  expect_failures = [var.iterator_age_alarm_seconds]
}

run "visibility_timeout_is_never_below_the_consumers_timeout" {
  command = plan
  variables {
    sqs_visibility_timeout_seconds = 29
  }
  expect_failures = [var.sqs_visibility_timeout_seconds]
}

run "visibility_timeout_defaults_to_six_consumer_timeouts" {
  command = plan
  variables {
    sqs_visibility_timeout_seconds = null # whatever TF_VAR_ the shell has
  }
  assert {
    condition     = aws_sqs_queue.events.visibility_timeout_seconds == 180 && aws_sqs_queue.fifo.visibility_timeout_seconds == 180
    error_message = "both queues should hide a received message for six times the transformer's 30 s timeout"
  }
}

run "visibility_timeout_can_be_short_for_the_test_stack" {
  command = plan
  variables {
    sqs_visibility_timeout_seconds = 30
  }
  assert {
    condition     = aws_sqs_queue.events.visibility_timeout_seconds == 30 && aws_sqs_queue.fifo.visibility_timeout_seconds == 30
    error_message = "the variable should set both queues' visibility timeout"
  }
}

run "sqs_polls_on_demand_unless_pollers_are_provisioned" {
  command = plan
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs.provisioned_poller_config) == 0
    error_message = "by default the SQS lane polls on demand"
  }
}

run "sqs_provisioned_pollers_set_the_mapping" {
  command = plan
  variables {
    sqs_provisioned_pollers = { minimum = 2, maximum = 20 }
  }
  assert {
    condition = (aws_lambda_event_source_mapping.sqs.provisioned_poller_config[0].minimum_pollers == 2 &&
    aws_lambda_event_source_mapping.sqs.provisioned_poller_config[0].maximum_pollers == 20)
    error_message = "the variable should set the mapping's minimum and maximum pollers"
  }
}

run "sqs_provisioned_pollers_start_at_two" {
  command = plan
  variables {
    sqs_provisioned_pollers = { minimum = 1, maximum = 20 }
  }
  expect_failures = [var.sqs_provisioned_pollers]
}

run "sqs_provisioned_pollers_maximum_is_not_below_the_minimum" {
  command = plan
  variables {
    sqs_provisioned_pollers = { minimum = 10, maximum = 5 }
  }
  expect_failures = [var.sqs_provisioned_pollers]
}
