variable "ssh_sources" {}

module "net" {
  source = "./modules/net"
  for_each = {
    a = {}
    b = {}
  }
}

resource "aws_security_group" "bastion" {
  count = 2
  name = count.index
}

resource "aws_security_group_rule" "ssh" {
  count = 2
  security_group_id = aws_security_group.bastion[count.index].id
  type = "ingress"
  from_port = 22
  to_port = 22
  protocol = "tcp"
  cidr_blocks = var.ssh_sources
}
