resource "aws_kms_key" "scratch" {
  deletion_window_in_days = 3
  description = "Scratch data"
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}

resource "aws_kms_key" "data" {
  deletion_window_in_days = 10
  description = "Application data"
  enable_key_rotation = true
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
