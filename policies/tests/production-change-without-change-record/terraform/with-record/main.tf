resource "aws_sqs_queue" "orders" {
  name = "orders"
  tags = { Environment = "prod", Owner = "payments-team" }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags   = { Environment = "Prod", Owner = "platform-team" }
}

# Replaced: delete and create.
resource "aws_db_instance" "main" {
  identifier = "main"
  tags       = { Environment = "prod" }
}

# Unchanged (no-op): the plan does not touch it.
resource "aws_s3_bucket" "archive" {
  bucket = "archive"
  tags   = { Environment = "prod" }
}

resource "aws_sqs_queue" "dev_jobs" {
  name = "dev-jobs"
  tags = { Environment = "dev" }
}

# No Environment tag: not placed in production.
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
