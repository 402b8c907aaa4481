resource "aws_iam_access_key" "this" {
  count = 2
  pgp_key = "keybase:platform_team"
  status = "Active"
  user = "smtp-relay"
}
