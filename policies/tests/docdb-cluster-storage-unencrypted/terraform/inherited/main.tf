resource "aws_docdb_cluster" "source" {
  cluster_identifier = "source"
  storage_encrypted = true
}

resource "aws_docdb_cluster" "external_snapshot" {
  cluster_identifier = "external_snapshot"
  snapshot_identifier = "nightly"
  storage_encrypted = true
}

resource "aws_docdb_cluster" "external_copy" {
  cluster_identifier = "external_copy"
  restore_to_point_in_time = "x"
}

resource "aws_docdb_cluster" "copy_of_source" {
  cluster_identifier = "copy_of_source"
  restore_to_point_in_time = aws_docdb_cluster.source.id
}
