resource "aws_config_configuration_recorder" "main" {
  name = "default"
  recording_group {
    all_supported = true
    include_global_resource_types = true
    recording_strategy {
      use_only = "ALL_SUPPORTED_RESOURCE_TYPES"
    }
  }
}

resource "aws_config_configuration_recorder_status" "main" {
  name = aws_config_configuration_recorder.main.name
  is_enabled = true
}
