resource "aws_db_instance" "orders" {
  identifier = "orders-prod"
  engine = "postgres"
  engine_version = "16.4"
  instance_class = "db.m6g.large"
  allocated_storage = 100
  max_allocated_storage = 500
  storage_type = "gp3"
  db_name = "orders"
  username = "orders_admin"
  manage_master_user_password = true
  db_subnet_group_name = "prod-data"
  multi_az = true
  deletion_protection = true
  copy_tags_to_snapshot = true
  iam_database_authentication_enabled = true
  performance_insights_enabled = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  final_snapshot_identifier = "orders-prod-final"
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
  backup_retention_period = 7
}
