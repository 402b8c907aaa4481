resource "aws_rds_cluster" "ledger" {
  cluster_identifier = "ledger-prod"
  engine = "aurora-postgresql"
  engine_version = "16.4"
  database_name = "ledger"
  master_username = "ledger_admin"
  manage_master_user_password = true
  db_subnet_group_name = "prod-data"
  backup_retention_period = 7
  deletion_protection = true
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}
