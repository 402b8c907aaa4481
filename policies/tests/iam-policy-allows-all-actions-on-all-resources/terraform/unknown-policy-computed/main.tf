resource "aws_iam_policy" "dynamic" {
  description = "dynamic permissions"
  name = "dynamic"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  policy = data.aws_iam_policy_document.dynamic.json
}

resource "aws_iam_role" "worker" {
  assume_role_policy = "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}"
  force_detach_policies = false
  inline_policy {
    name = "queue"
  }
  max_session_duration = 3600
  name = "worker"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_policy" "static" {
  description = "static permissions"
  name = "static"
  path = "/"
  policy = "{\"Statement\":[{\"Action\":\"sqs:SendMessage\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:sqs:eu-west-1:111122223333:orders\"}],\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
