resource "aws_kms_key" "data" {
  deletion_window_in_days = 30
  description = "Application data"
  enable_key_rotation = terraform_data.kms_defaults.output.rotate
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "tenant" {
  customer_master_key_spec = terraform_data.kms_defaults.output.key_spec
  deletion_window_in_days = 30
  description = "Tenant key"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "hsm" {
  custom_key_store_id = aws_kms_custom_key_store.hsm.id
  deletion_window_in_days = 30
  description = "Payment HSM key"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
