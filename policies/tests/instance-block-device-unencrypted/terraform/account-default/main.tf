resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_instance" "web" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = false
    volume_size = 20
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    snapshot_id = ""
    volume_size = 10
  }
}
