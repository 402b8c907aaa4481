resource "aws_cloudtrail" "main" {
  enable_log_file_validation = true
  is_multi_region_trail = true
  kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/0c3e8f4a-7b21-4d6e-9a55-3f1d2b8c6e90"
  name = "main-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
