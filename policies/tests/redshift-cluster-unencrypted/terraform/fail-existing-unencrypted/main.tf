resource "aws_redshift_cluster" "legacy" {
  cluster_identifier = "legacy-dw"
  database_name = "dw"
  manage_master_password = true
  master_username = "admin"
  node_type = "ra3.xlplus"
  number_of_nodes = 2
  skip_final_snapshot = true
}
