resource "aws_iam_policy_attachment" "deployers" {
  name = "deployers"
  policy_arn = "arn:aws:iam::111122223333:policy/deploy"
  groups = ["deployers"]
  roles = ["ci"]
}

resource "aws_iam_policy_attachment" "readers" {
  name = "readers"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  roles = ["auditor"]
}

resource "aws_iam_user_policy_attachments_exclusive" "alice" {
  user_name = "alice"
}
