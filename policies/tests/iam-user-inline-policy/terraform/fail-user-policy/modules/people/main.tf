resource "aws_iam_user_policy" "deny_delete" {
  name = "deny-delete"
  policy = "{\"Statement\":{\"Action\":\"s3:DeleteObject\",\"Effect\":\"Deny\",\"Resource\":\"*\"},\"Version\":\"2012-10-17\"}"
  user = "bob"
}
