resource "aws_s3_bucket" "customer_data" {
  bucket = "acme-prod-customer-data"
  force_destroy = false
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "customer_data" {
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}
