module "logging" {
  source = "./modules/logging"
}

resource "aws_kms_key" "data" {
  deletion_window_in_days = 30
  description = "Application data"
  enable_key_rotation = true
  rotation_period_in_days = 365
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "signing" {
  customer_master_key_spec = "RSA_4096"
  deletion_window_in_days = 30
  description = "Release signing"
  key_usage = "SIGN_VERIFY"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
