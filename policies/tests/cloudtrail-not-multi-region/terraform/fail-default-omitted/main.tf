resource "aws_cloudtrail" "main" {
  name = "main-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id = aws_kms_key.trail.arn
  include_global_service_events = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
  enable_log_file_validation = true
}
