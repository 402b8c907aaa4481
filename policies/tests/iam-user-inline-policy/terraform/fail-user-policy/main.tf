module "people" {
  source = "./modules/people"
}

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

resource "aws_iam_user_policy" "alice_s3" {
  name = "alice-s3"
  policy = "{\"Statement\":[{\"Action\":[\"s3:GetObject\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::reports/*\"}],\"Version\":\"2012-10-17\"}"
  user = "alice"
}

resource "aws_iam_user_policy" "ci" {
  count = 2
  name = "ci"
  user = "ci-deploy"
}
