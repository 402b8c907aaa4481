resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
  encrypted = data.aws_ssm_parameter.encrypt_warehouse.value
  manage_master_password = true
  master_username = "admin"
  node_type = "ra3.xlplus"
  skip_final_snapshot = true
}

data "aws_ssm_parameter" "encrypt_warehouse" {
  name = "/baseline/redshift-encrypted"
  depends_on = [aws_ssm_parameter.baseline_version]
}
