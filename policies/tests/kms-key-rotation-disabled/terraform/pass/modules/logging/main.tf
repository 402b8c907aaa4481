resource "aws_kms_key" "this" {
  for_each = local.log_keys
  deletion_window_in_days = 30
  description = each.key
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
