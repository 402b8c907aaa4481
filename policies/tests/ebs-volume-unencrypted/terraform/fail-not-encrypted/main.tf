resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  encrypted = false
  size = 200
  tags = {
    Name = "data"
  }
  type = "gp3"
}

resource "aws_ebs_volume" "logs" {
  availability_zone = "eu-west-1a"
  encrypted = true
  size = 100
  type = "gp3"
}
