resource "aws_instance" "web" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    delete_on_termination = true
    encrypted = true
    volume_size = 20
    volume_type = "gp3"
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    delete_on_termination = true
    encrypted = true
    snapshot_id = ""
    volume_size = 100
    volume_type = "gp3"
  }
  ephemeral_block_device {
    device_name = "/dev/sdb"
    virtual_name = "ephemeral0"
    no_device = false
  }
}

resource "aws_instance" "batch" {
  ami = "ami-0abcdef1234567890"
  instance_type = "c6i.large"
  root_block_device {
    encrypted = "true"
    volume_size = 30
  }
}
