resource "aws_security_group_rule" "upper" {
  type = "ingress"
  protocol = "TCP"
  from_port = 22
  to_port = 22
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "number" {
  type = "ingress"
  protocol = "6"
  from_port = 22
  to_port = 22
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "all_ports_80" {
  type = "ingress"
  protocol = "-1"
  from_port = 80
  to_port = 80
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "all_word" {
  type = "ingress"
  protocol = "ALL"
  from_port = 0
  to_port = 0
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "mixed" {
  ip_protocol = "Tcp"
  from_port = 22
  to_port = 22
  cidr_ipv4 = "0.0.0.0/0"
  security_group_id = "sg-1"
}

resource "aws_vpc_security_group_ingress_rule" "every" {
  ip_protocol = "-1"
  cidr_ipv4 = "0.0.0.0/0"
  security_group_id = "sg-1"
}

resource "aws_vpc_security_group_ingress_rule" "udp_number" {
  ip_protocol = "17"
  from_port = 3389
  to_port = 3389
  cidr_ipv4 = "0.0.0.0/0"
  security_group_id = "sg-1"
}

resource "aws_security_group_rule" "icmp" {
  type = "ingress"
  protocol = "ICMP"
  from_port = -1
  to_port = -1
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "sctp" {
  type = "ingress"
  protocol = "132"
  from_port = 22
  to_port = 22
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "https" {
  type = "ingress"
  protocol = "TCP"
  from_port = 443
  to_port = 443
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}
