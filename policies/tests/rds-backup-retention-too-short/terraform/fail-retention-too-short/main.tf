resource "aws_db_instance" "main" {
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
  final_snapshot_identifier = "orders-prod-final"
  iam_database_authentication_enabled = true
  identifier = "orders-prod"
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

resource "aws_db_instance" "reporting" {
  allocated_storage = 100
  apply_immediately = false
  auto_minor_version_upgrade = true
  backup_retention_period = 0
  copy_tags_to_snapshot = true
  db_name = "orders"
  db_subnet_group_name = "prod-data"
  dedicated_log_volume = false
  delete_automated_backups = true
  deletion_protection = true
  enabled_cloudwatch_logs_exports = ["error", "slowquery"]
  engine = "mysql"
  engine_version = "8.0.39"
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

resource "aws_db_instance" "ok" {
  allocated_storage = 100
  apply_immediately = false
  auto_minor_version_upgrade = true
  backup_retention_period = 7
  copy_tags_to_snapshot = true
  db_name = "orders"
  db_subnet_group_name = "prod-data"
  dedicated_log_volume = false
  delete_automated_backups = true
  deletion_protection = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  engine = "postgres"
  engine_version = "16.4"
  final_snapshot_identifier = "billing-prod-final"
  iam_database_authentication_enabled = true
  identifier = "billing-prod"
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

resource "aws_db_instance" "legacy" {
  allocated_storage = 100
  apply_immediately = false
  auto_minor_version_upgrade = true
  backup_retention_period = 1
  copy_tags_to_snapshot = true
  db_name = "orders"
  db_subnet_group_name = "prod-data"
  dedicated_log_volume = false
  delete_automated_backups = true
  deletion_protection = true
  enabled_cloudwatch_logs_exports = ["error", "slowquery"]
  engine = "mysql"
  engine_version = "8.0.39"
  final_snapshot_identifier = "legacy-db-final"
  iam_database_authentication_enabled = true
  identifier = "legacy-db"
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
}
