resource "aws_config_configuration_recorder" "main" {
  name = "default"
  role_arn = aws_iam_service_linked_role.config.arn
  recording_group {
    all_supported = false
    exclusion_by_resource_types {
      resource_types = ["AWS::EC2::NetworkInterface", "AWS::EC2::Volume"]
    }
    recording_strategy {
      use_only = "EXCLUSION_BY_RESOURCE_TYPES"
    }
  }
}
