resource "aws_redshift_cluster" "reporting" {
  cluster_identifier = "reporting"
  encrypted = true
  manage_master_password = true
  master_username = "admin"
  node_type = "ra3.xlplus"
  skip_final_snapshot = true
}

resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
  database_name = "analytics"
  manage_master_password = true
  master_username = "admin"
  node_type = "ra3.xlplus"
  number_of_nodes = 2
  skip_final_snapshot = true
}
