# Learners sign in with a username and password and send the access token to the API.
resource "aws_cognito_user_pool" "learners" {
  name                = "${var.name_prefix}-learners"
  deletion_protection = "INACTIVE" # throwaway: destroy must work

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  password_policy {
    minimum_length    = 14
    require_lowercase = true
    require_uppercase = true
    require_numbers   = true
    require_symbols   = true
  }
}

resource "aws_cognito_user_pool_client" "cli" {
  name                          = "${var.name_prefix}-cli"
  user_pool_id                  = aws_cognito_user_pool.learners.id
  generate_secret               = false # a public client: curl and the lab's CLI
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  access_token_validity         = 60
  id_token_validity             = 60
  refresh_token_validity        = 1

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
