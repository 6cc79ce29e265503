resource "aws_apigatewayv2_api" "lab" {
  name          = "${var.name_prefix}-api"
  protocol_type = "HTTP"
  description   = "POST /<service> publishes lab events; every route needs a Cognito JWT"
}

resource "aws_apigatewayv2_authorizer" "cognito" {
  api_id           = aws_apigatewayv2_api.lab.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = "https://cognito-idp.${local.region}.amazonaws.com/${aws_cognito_user_pool.learners.id}"
    audience = [aws_cognito_user_pool_client.cli.id]
  }
}

resource "aws_apigatewayv2_integration" "generator" {
  api_id                 = aws_apigatewayv2_api.lab.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.this["generator"].invoke_arn
  payload_format_version = "2.0"
}

# One route per service and /all. ANY, not POST: a wrong method then reaches the
# generator, which answers 405 with a JSON error instead of the gateway's bare 404.
resource "aws_apigatewayv2_route" "publish" {
  for_each = toset(concat(local.services, ["all"]))

  api_id             = aws_apigatewayv2_api.lab.id
  route_key          = "ANY /${each.key}"
  target             = "integrations/${aws_apigatewayv2_integration.generator.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.cognito.id
}

resource "aws_cloudwatch_log_group" "api_access" {
  #checkov:skip=CKV_AWS_158:Encrypted at rest with the service's key; a customer key costs $1/month and adds KMS grants to a throwaway lab.
  #checkov:skip=CKV_AWS_338:A throwaway lab keeps logs briefly (log_retention_days) to bound cost.
  # Under /aws/vendedlogs/ so that delivering access logs needs no entry in the account-wide
  # CloudWatch Logs resource policy (5,120 characters, and not removed by destroy).
  name              = "/aws/vendedlogs/apigateway/${var.name_prefix}-api"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.lab.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.api_throttle_rate
    throttling_burst_limit = var.api_throttle_burst
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      sub            = "$context.authorizer.claims.sub"
      authError      = "$context.authorizer.error"
      latencyMs      = "$context.responseLatency"
      integrationMs  = "$context.integrationLatency"
      integrationErr = "$context.integrationErrorMessage"
    })
  }
}

resource "aws_lambda_permission" "api_invokes_generator" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["generator"].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.lab.execution_arn}/*/*/*"
}
