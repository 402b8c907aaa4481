module "iam" {
  source = "./modules/iam"
}

resource "aws_iam_policy" "admin" {
  description = "admin permissions"
  name = "admin"
  path = "/"
  policy = "{\"Statement\":{\"Action\":\"*\",\"Effect\":\"Allow\",\"Resource\":\"*\"},\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}

resource "aws_iam_group_policy" "ops" {
  count = 2
  name = "ops"
  policy = "{\"Statement\":[{\"Action\":[\"s3:GetObject\"],\"Effect\":\"Allow\",\"Resource\":\"*\"},{\"Action\":[\"ec2:*\",\"*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"
  group = "ops"
}

resource "aws_iam_user_policy" "legacy" {
  name = "legacy"
  policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Everything\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
  user = "legacy-admin"
}

resource "aws_iam_policy" "readonly" {
  description = "readonly permissions"
  name = "readonly"
  path = "/"
  policy = "{\"Statement\":[{\"Action\":[\"s3:Get*\",\"s3:List*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"
  tags = {
    Owner = "platform-team"
    Environment = "prod"
    DataClassification = "internal"
  }
}
