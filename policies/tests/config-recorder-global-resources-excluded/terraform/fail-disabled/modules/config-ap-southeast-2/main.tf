resource "aws_config_configuration_recorder" "this" {
  name = "default"
  role_arn = aws_iam_service_linked_role.config.arn
  recording_group {
    all_supported = false
    resource_types = ["AWS::EC2::Instance", "AWS::S3::Bucket"]
    recording_strategy {
      use_only = "INCLUSION_BY_RESOURCE_TYPES"
    }
  }
}
