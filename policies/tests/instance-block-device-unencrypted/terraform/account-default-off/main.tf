resource "aws_ebs_encryption_by_default" "this" {
  enabled = false
}

resource "aws_instance" "web" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = false
    volume_size = 20
  }
}
