resource "aws_security_group_rule" "ssh" {
  cidr_blocks = ["0.0.0.0/0"]
  from_port = 22
  protocol = "tcp"
  self = false
  to_port = 22
  type = "ingress"
}

resource "aws_security_group_rule" "all_v6" {
  from_port = 0
  ipv6_cidr_blocks = ["::/0"]
  protocol = "all"
  self = false
  to_port = 65535
  type = "ingress"
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  cidr_ipv4 = "0.0.0.0/0"
  from_port = 3389
  ip_protocol = "tcp"
  to_port = 3389
}

resource "aws_vpc_security_group_ingress_rule" "all" {
  cidr_ipv4 = "0.0.0.0/0"
  ip_protocol = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  cidr_ipv6 = "::/0"
  from_port = 6379
  ip_protocol = "tcp"
  to_port = 6379
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  cidr_ipv4 = "0.0.0.0/0"
  from_port = 443
  ip_protocol = "tcp"
  to_port = 443
}
