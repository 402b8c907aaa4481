resource "aws_vpc_security_group_ingress_rule" "ssh_from_vpn" {
  from_port = 22
  ip_protocol = "tcp"
  to_port = 22
}

resource "aws_security_group_rule" "rdp_from_office" {
  cidr_blocks = ["198.51.100.0/24", null]
  from_port = 3389
  protocol = "tcp"
  self = false
  to_port = 3389
  type = "ingress"
}
