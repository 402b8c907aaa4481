resource "aws_kms_key" "app" {
  deletion_window_in_days = 14
  description = "Orders service"
  enable_key_rotation = false
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "legacy" {
  deletion_window_in_days = 30
  description = "Legacy reports"
  enable_key_rotation = false
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "ok" {
  deletion_window_in_days = 30
  description = "Billing service"
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
