resource "aws_rds_cluster" "ledger" {
  cluster_identifier = "ledger-prod"
  engine = "aurora-postgresql"
  engine_version = "16.4"
  database_name = "ledger"
  master_username = "ledger_admin"
  manage_master_user_password = true
  db_subnet_group_name = "prod-data"
  storage_encrypted = true
  deletion_protection = true
  copy_tags_to_snapshot = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports = ["postgresql"]
  final_snapshot_identifier = "ledger-prod-final"
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}
