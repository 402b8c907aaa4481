resource "aws_security_group" "upper" {
  name = "upper"
  ingress {
    protocol = "TCP"
    from_port = 22
    to_port = 22
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
}

resource "aws_security_group" "number" {
  name = "number"
  ingress {
    protocol = "6"
    from_port = 3389
    to_port = 3389
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
}

resource "aws_security_group" "all_ports" {
  name = "allports"
  ingress {
    protocol = "-1"
    from_port = 443
    to_port = 443
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
}

resource "aws_security_group" "all_word" {
  name = "allword"
  ingress {
    protocol = "All"
    from_port = 0
    to_port = 0
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol = "TCP"
    from_port = 443
    to_port = 443
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
  ingress {
    protocol = "icmp"
    from_port = -1
    to_port = -1
    cidr_blocks = ["0.0.0.0/0"]
    description = ""
    self = false
  }
}
