resource "aws_s3_bucket" "claims" {
  acceleration_status = ""
  bucket = "acme-prod-claims"
  bucket_domain_name = "acme-prod-claims.s3.amazonaws.com"
  bucket_prefix = ""
  bucket_regional_domain_name = "acme-prod-claims.s3.eu-west-1.amazonaws.com"
  force_destroy = false
  grant {
    permissions = ["FULL_CONTROL"]
    type = "CanonicalUser"
    uri = ""
  }
  hosted_zone_id = "Z1BKCTXD74EZPE"
  object_lock_enabled = false
  policy = ""
  region = "eu-west-1"
  request_payer = "BucketOwner"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = ""
        sse_algorithm = "AES256"
      }
      bucket_key_enabled = false
    }
  }
  versioning {
    enabled = false
    mfa_delete = false
  }
  tags = {
    Owner = "claims-team"
    Environment = "prod"
    DataClassification = "Confidential"
  }
}
