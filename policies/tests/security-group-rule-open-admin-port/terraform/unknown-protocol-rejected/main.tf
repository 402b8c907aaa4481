resource "aws_security_group_rule" "ssh_word" {
  type = "ingress"
  protocol = "ssh"
  from_port = 22
  to_port = 22
  security_group_id = "sg-1"
  cidr_blocks = ["0.0.0.0/0"]
}
