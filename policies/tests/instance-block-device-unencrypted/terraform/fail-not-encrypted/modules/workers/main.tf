resource "aws_instance" "this" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
    volume_size = 20
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted = true
    snapshot_id = ""
    volume_size = 10
  }
  ebs_block_device {
    device_name = "/dev/sdg"
    encrypted = false
    snapshot_id = ""
    volume_size = 10
  }
}
