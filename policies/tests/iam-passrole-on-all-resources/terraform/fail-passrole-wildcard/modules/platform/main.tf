resource "aws_iam_role_policy" "this" {
  name = "this"
  policy = "{\"Statement\":{\"Action\":[\"iam:*\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:iam::111122223333:role/*\"},\"Version\":\"2012-10-17\"}"
  role = "platform-admin"
}
