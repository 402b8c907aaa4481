resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size = 200
  type = "gp3"
}

resource "aws_ebs_volume" "restored" {
  availability_zone = "eu-west-1b"
  snapshot_id = "snap-0a1b2c3d4e5f60718"
  type = "gp3"
}
