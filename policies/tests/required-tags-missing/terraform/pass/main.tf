resource "aws_s3_bucket" "customer_data" {
  bucket = "acme-prod-customer-data"
  force_destroy = false
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }
  tags = {
    DataClassification = "confidential"
  }
}

resource "aws_sqs_queue" "jobs" {
  content_based_deduplication = false
  delay_seconds = 0
  fifo_queue = false
  kms_master_key_id = "alias/aws/sqs"
  max_message_size = 262144
  message_retention_seconds = 345600
  name = "payments-jobs"
  receive_wait_time_seconds = 20
  visibility_timeout_seconds = 60
  tags = {
    DataClassification = "internal"
  }
}

resource "aws_dynamodb_table" "ledger" {
  attribute {
    name = "pk"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  deletion_protection_enabled = true
  hash_key = "pk"
  name = "payments-ledger"
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}

resource "aws_kms_key" "payments" {
  bypass_policy_lockout_safety_check = false
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  deletion_window_in_days = 30
  description = "Payments data key"
  enable_key_rotation = true
  is_enabled = true
  key_usage = "ENCRYPT_DECRYPT"
  tags = {
    Environment = "prod"
    DataClassification = "confidential"
  }
}
