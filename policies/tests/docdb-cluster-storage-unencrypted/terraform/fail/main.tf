resource "aws_docdb_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted = false
}

resource "aws_docdb_cluster" "omitted" {
  cluster_identifier = "omitted"
}
