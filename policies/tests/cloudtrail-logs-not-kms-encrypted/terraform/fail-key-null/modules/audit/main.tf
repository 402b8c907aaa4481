variable "bucket_name" {}

variable "create" {}

variable "kms_key_arn" {}

resource "aws_cloudtrail" "this" {
  count = var.create
  enable_log_file_validation = true
  is_multi_region_trail = true
  kms_key_id = var.kms_key_arn
  name = "audit"
  s3_bucket_name = var.bucket_name
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
