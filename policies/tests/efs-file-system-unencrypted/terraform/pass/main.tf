resource "aws_efs_file_system" "home" {
  creation_token = "home"
  encrypted = true
}

resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
  encrypted = true
  kms_key_id = aws_kms_key.efs.arn
  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }
  performance_mode = "generalPurpose"
  tags = {
    Name = "shared"
  }
  throughput_mode = "elastic"
}

resource "aws_kms_key" "efs" {
  description = "EFS"
  enable_key_rotation = true
}
