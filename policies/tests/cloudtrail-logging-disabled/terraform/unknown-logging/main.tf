resource "aws_cloudtrail" "org" {
  name = "org"
  s3_bucket_name = "acme-trail"
  is_multi_region_trail = true
  enable_log_file_validation = true
  include_global_service_events = true
}
