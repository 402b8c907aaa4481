resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  encrypted = true
}

resource "aws_ebs_snapshot" "data" {
  volume_id = aws_ebs_volume.data.id
}

resource "aws_ebs_snapshot_copy" "plain" {
  source_snapshot_id = "snap-0123456789abcdef0"
  source_region = "eu-west-1"
}

resource "aws_ebs_volume" "from_plan_snapshot" {
  availability_zone = "eu-west-1a"
  snapshot_id = aws_ebs_snapshot.data.id
}

resource "aws_ebs_volume" "from_plain_copy" {
  availability_zone = "eu-west-1a"
  snapshot_id = aws_ebs_snapshot_copy.plain.id
}

resource "aws_ebs_volume" "from_plain_copy_forced" {
  availability_zone = "eu-west-1a"
  encrypted = true
  snapshot_id = aws_ebs_snapshot_copy.plain.id
}
