resource "aws_db_instance" "primary" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  storage_encrypted = true
}

resource "aws_db_instance" "plain" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  storage_encrypted = false
}

resource "aws_db_instance" "replica" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  replicate_source_db = aws_db_instance.primary.identifier
}

resource "aws_db_instance" "external_replica" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  replicate_source_db = "orders-prod"
  storage_encrypted = true
}

resource "aws_db_snapshot" "nightly" {
  db_snapshot_identifier = "nightly"
  db_instance_identifier = aws_db_instance.primary.identifier
}

resource "aws_db_instance" "from_snapshot" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  snapshot_identifier = aws_db_snapshot.nightly.id
}

resource "aws_db_instance" "external_snapshot" {
  engine = "postgres"
  instance_class = "db.t4g.medium"
  snapshot_identifier = "orders-2026-11-01"
  storage_encrypted = true
}

resource "aws_rds_cluster" "restored" {
  engine = "aurora-postgresql"
  cluster_identifier = "restored"
  snapshot_identifier = "x"
  kms_key_id = "k"
  storage_encrypted = true
}

resource "aws_rds_cluster" "restored_no_key" {
  engine = "aurora-postgresql"
  cluster_identifier = "restored_no_key"
  snapshot_identifier = "x"
}

resource "aws_rds_cluster" "serverless" {
  engine = "aurora-postgresql"
  cluster_identifier = "serverless"
  engine_mode = "serverless"
}
