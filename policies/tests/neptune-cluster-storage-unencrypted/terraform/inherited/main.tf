resource "aws_neptune_cluster" "source" {
  cluster_identifier = "source"
  storage_encrypted = true
}

resource "aws_neptune_cluster" "external_snapshot" {
  cluster_identifier = "external_snapshot"
  snapshot_identifier = "nightly"
  storage_encrypted = true
}

resource "aws_neptune_cluster" "external_copy" {
  cluster_identifier = "external_copy"
  replication_source_identifier = "x"
}

resource "aws_neptune_cluster" "copy_of_source" {
  cluster_identifier = "copy_of_source"
  replication_source_identifier = aws_neptune_cluster.source.arn
}
