resource "aws_launch_template" "web" {
  name = "web"
  image_id = "ami-0abcdef1234567890"
  block_device_mappings {
    device_name = "/dev/xvda"
    no_device = ""
    virtual_name = ""
    ebs {
      encrypted = "true"
      volume_size = 20
      snapshot_id = ""
      kms_key_id = ""
    }
  }
  block_device_mappings {
    device_name = "/dev/sdb"
    no_device = ""
    virtual_name = "ephemeral0"
  }
}

resource "aws_launch_template" "bare" {
  name = "bare"
  image_id = "ami-0abcdef1234567890"
}

resource "aws_launch_configuration" "workers" {
  image_id = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
    volume_size = 20
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted = true
    snapshot_id = ""
    no_device = false
  }
  ebs_block_device {
    device_name = "/dev/sdg"
    no_device = true
    snapshot_id = ""
  }
}
