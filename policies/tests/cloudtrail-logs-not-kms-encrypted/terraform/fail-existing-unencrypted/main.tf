resource "aws_cloudtrail" "legacy" {
  enable_log_file_validation = true
  is_multi_region_trail = true
  name = "legacy-audit"
  s3_bucket_name = "legacy-audit-logs-111122223333"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
