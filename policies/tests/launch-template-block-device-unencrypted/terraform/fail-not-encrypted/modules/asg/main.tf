resource "aws_launch_configuration" "this" {
  image_id = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = false
    volume_size = 20
  }
}
