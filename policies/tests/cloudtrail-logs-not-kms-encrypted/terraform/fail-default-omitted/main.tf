resource "aws_cloudtrail" "main" {
  enable_log_file_validation = true
  is_multi_region_trail = true
  name = "main-audit"
  s3_bucket_name = aws_s3_bucket.trail.id
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
