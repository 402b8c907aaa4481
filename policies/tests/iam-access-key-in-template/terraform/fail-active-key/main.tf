module "smtp" {
  source = "./modules/smtp"
}

resource "aws_iam_access_key" "ci" {
  status = "Active"
  user = "ci-deploy"
}

resource "aws_iam_access_key" "vendor" {
  status = "Active"
}

resource "aws_iam_access_key" "staged" {
  status = "Inactive"
  user = "ci-deploy"
}
