resource "aws_ebs_encryption_by_default" "this" {
  enabled = data.aws_ssm_parameter.ebs_encryption.value
}

data "aws_ssm_parameter" "ebs_encryption" {
  name = "/baseline/ebs-encryption-by-default"
  depends_on = [aws_ssm_parameter.baseline_version]
}
