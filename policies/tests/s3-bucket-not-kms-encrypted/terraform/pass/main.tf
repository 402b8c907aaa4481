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
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}

resource "aws_s3_bucket" "audit" {
  bucket = "acme-prod-audit"
  force_destroy = false
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms:dsse"
      }
      bucket_key_enabled = true
    }
  }
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_s3_bucket" "public_assets" {
  bucket = "acme-prod-public-assets"
  force_destroy = false
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "public"
  }
}

resource "aws_s3_bucket" "exports" {
  bucket = "acme-prod-exports"
  force_destroy = false
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
      bucket_key_enabled = false
    }
  }
  tags = {
    Owner = "data-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
