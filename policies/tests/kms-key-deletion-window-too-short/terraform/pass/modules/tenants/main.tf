variable "tenant_count" {}

resource "aws_kms_key" "tenant" {
  count = var.tenant_count
  deletion_window_in_days = 7
  description = count.index
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
