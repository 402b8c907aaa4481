resource "aws_iam_policy_attachment" "support" {
  name = "support"
  policy_arn = "arn:aws:iam::aws:policy/job-function/SupportUser"
  groups = ["support"]
  users = ["bob"]
}
