resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
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
