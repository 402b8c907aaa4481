resource "aws_cloudtrail" "main" {
  enable_log_file_validation = true
  is_multi_region_trail = true
  kms_key_id = aws_kms_key.trail.arn
  name = "main-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
