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
}

resource "aws_security_group_rule" "https" {
  security_group_id = aws_security_group.app.id
  type = "ingress"
  from_port = 443
  to_port = 443
  protocol = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
