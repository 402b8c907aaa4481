variable "bucket_name" {}

variable "kms_key_arn" {}

resource "aws_cloudtrail" "this" {
  count = 1
  enable_log_file_validation = true
  include_global_service_events = terraform_data.trail_settings.output.global_events
  kms_key_id = var.kms_key_arn
  name = "audit"
  s3_bucket_name = var.bucket_name
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
