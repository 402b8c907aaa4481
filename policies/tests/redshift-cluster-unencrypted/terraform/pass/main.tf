resource "aws_kms_key" "redshift" {
  description = "Redshift"
  enable_key_rotation = true
}

resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
  database_name = "analytics"
  encrypted = true
  final_snapshot_identifier = "warehouse-final"
  kms_key_id = aws_kms_key.redshift.arn
  manage_master_password = true
  master_username = "admin"
  node_type = "ra3.xlplus"
  number_of_nodes = 2
  skip_final_snapshot = false
}
