module "workers" {
  source = "./modules/workers"
}

resource "aws_instance" "web" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    delete_on_termination = true
    encrypted = false
    volume_size = 20
  }
}

resource "aws_instance" "encrypted" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
    volume_size = 20
  }
}

resource "aws_instance" "restored" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
    volume_size = 20
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted = false
    snapshot_id = "snap-0123456789abcdef0"
    volume_size = 10
  }
}

resource "aws_instance" "computed" {
  ami = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  root_block_device {
    volume_size = 50
  }
}
