resource "aws_kms_key" "data" {
  description = "Application data"
  tags = {
    Owner = "security-team"
    Environment = "prod"
    DataClassification = "restricted"
  }
}
