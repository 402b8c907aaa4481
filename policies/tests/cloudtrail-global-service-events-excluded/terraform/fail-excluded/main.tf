resource "aws_cloudtrail" "regional" {
  enable_log_file_validation = true
  include_global_service_events = false
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/0c3e8f4a-7b21-4d6e-9a55-3f1d2b8c6e90"
  name = "regional-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_cloudtrail" "org" {
  enable_log_file_validation = true
  include_global_service_events = true
  is_multi_region_trail = true
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/0c3e8f4a-7b21-4d6e-9a55-3f1d2b8c6e90"
  name = "org-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
