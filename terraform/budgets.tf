# An optional guard for the learner's bill: an e-mail when the account's spend this month
# reaches 80% of budget_usd, or is forecast to pass it.
resource "aws_budgets_budget" "lab" {
  count = var.budget_email == null ? 0 : 1

  # Explicit: the provider otherwise takes its own account lookup, which is skipped when
  # emulated (an ID of ":name" that the provider then cannot read back).
  account_id   = local.account_id
  name         = "${var.name_prefix}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = [var.budget_email]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = [var.budget_email]
  }
}
