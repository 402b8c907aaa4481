resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted = false
}

resource "aws_neptune_cluster" "omitted" {
  cluster_identifier = "omitted"
}
