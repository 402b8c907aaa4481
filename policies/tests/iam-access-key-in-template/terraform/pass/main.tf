resource "aws_iam_access_key" "rotation_next" {
  status = "Inactive"
  user = "ci-deploy"
}
