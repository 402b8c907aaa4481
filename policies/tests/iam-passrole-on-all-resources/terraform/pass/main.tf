resource "aws_iam_policy" "deploy" {
  description = "deploy permissions"
  name = "deploy"
  path = "/"
  policy = data.aws_iam_policy_document.deploy.json
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_role" "ci" {
  assume_role_policy = "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}"
  force_detach_policies = false
  inline_policy {
    name = "deploy"
    policy = "{\"Statement\":{\"Action\":\"iam:PassRole\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:iam::111122223333:role/app-*\"},\"Version\":\"2012-10-17\"}"
  }
  max_session_duration = 3600
  name = "ci"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_role_policy" "lambda_deployer" {
  name = "lambda-deployer"
  policy = "{\"Statement\":[{\"Action\":[\"lambda:*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"},{\"Action\":\"iam:PassRole\",\"Effect\":\"Deny\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"
  role = "deployer"
}
