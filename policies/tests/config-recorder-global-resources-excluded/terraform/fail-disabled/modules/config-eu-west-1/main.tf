variable "include_global_resource_types" {}

resource "aws_config_configuration_recorder" "this" {
  name = "default"
  role_arn = aws_iam_service_linked_role.config.arn
  recording_group {
    all_supported = true
    include_global_resource_types = var.include_global_resource_types
    recording_strategy {
      use_only = "ALL_SUPPORTED_RESOURCE_TYPES"
    }
  }
}
