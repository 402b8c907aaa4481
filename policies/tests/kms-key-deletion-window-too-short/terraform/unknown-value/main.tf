resource "aws_kms_key" "data" {
  deletion_window_in_days = terraform_data.kms_defaults.output.deletion_window
  description = "Application data"
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
