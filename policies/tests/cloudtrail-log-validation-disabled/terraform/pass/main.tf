resource "aws_cloudtrail" "org" {
  enable_log_file_validation = true
  enable_logging = true
  include_global_service_events = true
  is_multi_region_trail = true
  is_organization_trail = false
  name = "org-audit"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
