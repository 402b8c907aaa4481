module "tenants" {
  source = "./modules/tenants"
}

resource "aws_kms_key" "data" {
  deletion_window_in_days = 30
  description = "Application data"
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
