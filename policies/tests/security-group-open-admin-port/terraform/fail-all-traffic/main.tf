variable "ingress" {}

resource "aws_security_group" "debug" {
  description = "Temporary debugging"
  egress = [
    {
      cidr_blocks = ["0.0.0.0/0"]
      description = ""
      from_port = 0
      ipv6_cidr_blocks = ["::/0"]
      prefix_list_ids = []
      protocol = "-1"
      security_groups = []
      self = false
      to_port = 0
    },
  ]
  ingress = var.ingress
  name = "debug"
  revoke_rules_on_delete = false
  vpc_id = "vpc-0a1b2c3d4e5f60718"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
