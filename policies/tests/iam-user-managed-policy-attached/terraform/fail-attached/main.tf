module "people" {
  source = "./modules/people"
}

resource "aws_iam_user_policy_attachment" "alice_admin" {
  user = "alice"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user_policy_attachment" "ci" {
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_user_policy_attachments_exclusive" "carol" {
  user_name = "carol"
  policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

resource "aws_iam_policy_attachment" "groups_only" {
  name = "groups-only"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  groups = ["readers"]
}

resource "aws_iam_policy_attachment" "computed_users" {
  name = "computed"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
