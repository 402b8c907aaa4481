variable "ingress" {}

resource "aws_security_group" "app" {
  description = "Application tier"
  name = "app-prod"
  revoke_rules_on_delete = false
  vpc_id = "vpc-0a1b2c3d4e5f60718"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  ingress = var.ingress
}
