terraform {
  required_version = ">= 1.11" # write-only attributes (the API key placeholder)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # State lives outside the repo, one file per stack: the Makefile passes
  # -backend-config=path=.state/<stack>/terraform.tfstate at init.
  backend "local" {}
}
