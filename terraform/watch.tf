# What the live view (eventlab-bench watch) reads to learn what landed: one notice per object
# the bucket gains, so each poll costs what is new, never a listing of everything stored.
# One watch per stack reads it at a time (a second would share its notices). Notices older
# than the watch's start are dropped by the watch; those nobody reads expire after 5 minutes.
resource "aws_sqs_queue" "results_created" {
  name                      = "${var.name_prefix}-results-created"
  message_retention_seconds = 300
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "results_created" {
  statement {
    sid       = "BucketNotices"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.results_created.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.results.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "results_created" {
  queue_url = aws_sqs_queue.results_created.id
  policy    = data.aws_iam_policy_document.results_created.json
}

resource "aws_s3_bucket_notification" "results" {
  bucket = aws_s3_bucket.results.id

  queue {
    id        = "watch"
    queue_arn = aws_sqs_queue.results_created.arn
    events    = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_sqs_queue_policy.results_created]
}
