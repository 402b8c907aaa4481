module "asg" {
  source = "./modules/asg"
}

resource "aws_launch_template" "web" {
  name = "web"
  image_id = "ami-0abcdef1234567890"
  block_device_mappings {
    device_name = "/dev/xvda"
    no_device = ""
    virtual_name = ""
    ebs {
      encrypted = ""
      volume_size = 20
      snapshot_id = ""
      kms_key_id = ""
    }
  }
}

resource "aws_launch_template" "api" {
  name = "api"
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
    device_name = "/dev/sdf"
    no_device = ""
    virtual_name = ""
    ebs {
      encrypted = "false"
      volume_size = 100
      snapshot_id = ""
      kms_key_id = ""
    }
  }
}

resource "aws_launch_template" "restored" {
  name = "restored"
  image_id = "ami-0abcdef1234567890"
  block_device_mappings {
    device_name = "/dev/sdf"
    no_device = ""
    virtual_name = ""
    ebs {
      encrypted = ""
      volume_size = 100
      snapshot_id = "snap-0123456789abcdef0"
      kms_key_id = ""
    }
  }
}

resource "aws_launch_template" "encrypted" {
  name = "encrypted"
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
}

resource "aws_launch_configuration" "data" {
  image_id = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
    volume_size = 20
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted = false
    snapshot_id = ""
    no_device = false
  }
}
