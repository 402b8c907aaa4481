resource "aws_ebs_volume" "data" {
  count = 2
  availability_zone = count.index
  encrypted = true
  kms_key_id = aws_kms_key.ebs.arn
  size = 200
  tags = count.index
  type = "gp3"
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  encrypted = true
  size = 50
  type = "gp3"
}

resource "aws_kms_key" "ebs" {
  description = "EBS volumes"
  enable_key_rotation = true
}
