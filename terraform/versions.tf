terraform {
  required_version = ">= 1.11" # write-only attributes (the API key placeholder)

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Exactly the version the lab is tested with (make test applies it to the emulator and
      # rehearses the AWS path with it). A pin rather than a committed lock file: a lock made
      # here could only hold this machine's platform hash, and would fail `init` elsewhere.
      version = "5.100.0"
    }
  }

  # State lives outside the repo, one file per stack: the Makefile passes
  # -backend-config=path=.state/<stack>/terraform.tfstate at init.
  backend "local" {}
}
