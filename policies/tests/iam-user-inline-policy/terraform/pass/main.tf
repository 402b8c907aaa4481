resource "aws_iam_user" "alice" {
  force_destroy = false
  name = "alice"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_user" "ci" {
  for_each = local.regions
  force_destroy = false
  name = "deploy"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
