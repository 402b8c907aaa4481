variable "recording_group" {}

resource "aws_config_configuration_recorder" "main" {
  name = "default"
  role_arn = aws_iam_service_linked_role.config.arn
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "recording_group" {
    for_each = var.recording_group
    content {}
  }
}
