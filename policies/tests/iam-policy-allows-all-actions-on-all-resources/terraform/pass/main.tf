resource "aws_iam_policy" "deploy" {
  description = "deploy permissions"
  name = "deploy"
  path = "/"
  policy = "{\"Statement\":[{\"Action\":[\"ecs:UpdateService\",\"ecs:DescribeServices\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:ecs:eu-west-1:111122223333:service/prod/web\"},{\"Action\":\"iam:PassRole\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:iam::111122223333:role/web-task\"}],\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_role" "app" {
  assume_role_policy = "{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}],\"Version\":\"2012-10-17\"}"
  force_detach_policies = false
  max_session_duration = 3600
  name = "app"
  path = "/"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_role_policy" "app_s3" {
  name = "app-s3"
  policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"AllS3\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
  role = "app"
}

resource "aws_iam_group_policy" "bucket_admins" {
  name = "bucket-admins"
  policy = "{\"Statement\":[{\"Action\":\"*\",\"Effect\":\"Allow\",\"Resource\":[\"arn:aws:s3:::prod-assets\",\"arn:aws:s3:::prod-assets/*\"]},{\"Action\":\"*\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}},\"Effect\":\"Deny\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"
  group = "bucket-admins"
}
