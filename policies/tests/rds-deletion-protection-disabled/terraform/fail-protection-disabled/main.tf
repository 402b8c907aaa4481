module "data" {
  source = "./modules/data"
}

resource "aws_rds_cluster" "ledger" {
  for_each = local.regions
  backup_retention_period = 14
  cluster_identifier = "ledger-prod-eu-west-1"
  copy_tags_to_snapshot = true
  database_name = "ledger"
  db_subnet_group_name = "prod-data"
  delete_automated_backups = true
  deletion_protection = false
  enable_http_endpoint = false
  enabled_cloudwatch_logs_exports = ["postgresql"]
  engine = "aurora-postgresql"
  engine_mode = "provisioned"
  engine_version = "16.4"
  final_snapshot_identifier = "ledger-prod-eu-west-1-final"
  iam_database_authentication_enabled = true
  manage_master_user_password = true
  master_username = "ledger_admin"
  skip_final_snapshot = false
  storage_encrypted = true
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}

resource "aws_db_instance" "ok" {
  allocated_storage = 100
  apply_immediately = false
  auto_minor_version_upgrade = true
  backup_retention_period = 3
  copy_tags_to_snapshot = true
  db_name = "orders"
  db_subnet_group_name = "prod-data"
  dedicated_log_volume = false
  delete_automated_backups = true
  deletion_protection = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  engine = "postgres"
  engine_version = "16.4"
  final_snapshot_identifier = "reporting-prod-final"
  iam_database_authentication_enabled = true
  identifier = "reporting-prod"
  instance_class = "db.m6g.large"
  manage_master_user_password = true
  max_allocated_storage = 500
  monitoring_interval = 0
  multi_az = true
  performance_insights_enabled = true
  publicly_accessible = false
  skip_final_snapshot = false
  storage_encrypted = true
  storage_type = "gp3"
  username = "orders_admin"
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}
