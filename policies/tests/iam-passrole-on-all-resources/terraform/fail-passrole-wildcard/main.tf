module "platform" {
  source = "./modules/platform"
}

resource "aws_iam_policy" "pipeline" {
  description = "pipeline permissions"
  name = "pipeline"
  path = "/"
  policy = "{\"Statement\":[{\"Action\":\"iam:PassRole\",\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"ecs-tasks.amazonaws.com\"}},\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_group_policy" "devs" {
  for_each = local.regions
  name = "devs"
  policy = "{\"Statement\":[{\"Action\":[\"ec2:RunInstances\",\"IAM:Pass*\"],\"Effect\":\"Allow\",\"Resource\":[\"*\"]}],\"Version\":\"2012-10-17\"}"
  group = "developers"
}

resource "aws_iam_role" "builder" {
  assume_role_policy = "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}"
  force_detach_policies = false
  inline_policy {
    name = "build"
    policy = "{\"Statement\":[{\"Action\":\"iam:*Role\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:iam::*:*\"}],\"Version\":\"2012-10-17\"}"
  }
  max_session_duration = 3600
  name = "builder"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_policy" "scoped" {
  description = "scoped permissions"
  name = "scoped"
  path = "/"
  policy = "{\"Statement\":{\"Action\":\"iam:PassRole\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:iam::111122223333:role/batch-job\"},\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
