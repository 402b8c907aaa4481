resource "aws_config_configuration_recorder" "main" {
  name = "default"
  role_arn = aws_iam_service_linked_role.config.arn
  recording_group {
    include_global_resource_types = true
  }
}
