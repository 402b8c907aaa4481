resource "aws_security_group_rule" "https" {
  cidr_blocks = ["0.0.0.0/0"]
  from_port = 443
  ipv6_cidr_blocks = ["::/0"]
  protocol = "tcp"
  self = false
  to_port = 443
  type = "ingress"
}

resource "aws_security_group_rule" "ssh_vpn" {
  cidr_blocks = ["10.8.0.0/16"]
  from_port = 22
  protocol = "tcp"
  self = false
  to_port = 22
  type = "ingress"
}

resource "aws_security_group_rule" "egress_all" {
  cidr_blocks = ["0.0.0.0/0"]
  from_port = 0
  protocol = "-1"
  self = false
  to_port = 0
  type = "egress"
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  cidr_ipv4 = "0.0.0.0/0"
  from_port = 443
  ip_protocol = "tcp"
  to_port = 443
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_app" {
  from_port = 5432
  ip_protocol = "tcp"
  to_port = 5432
}

resource "aws_vpc_security_group_ingress_rule" "icmp" {
  cidr_ipv4 = "0.0.0.0/0"
  from_port = -1
  ip_protocol = "icmp"
  to_port = -1
}
