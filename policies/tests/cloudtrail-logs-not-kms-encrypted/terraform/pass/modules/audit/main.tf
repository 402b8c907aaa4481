variable "bucket_name" {}

variable "kms_key_arn" {}

resource "aws_cloudtrail" "this" {
  enable_log_file_validation = true
  is_multi_region_trail = true
  kms_key_id = var.kms_key_arn
  name = "security-audit"
  s3_bucket_name = var.bucket_name
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
