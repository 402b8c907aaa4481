module "backup" {
  source = "./modules/backup"
}

resource "aws_backup_plan" "scratch" {
  count = 2
  name = "scratch-prod"
  rule {
    completion_window = 180
    enable_continuous_backup = false
    lifecycle {
      cold_storage_after = 0
      delete_after = 1
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "daily"
    schedule = "cron(0 5 ? * * *)"
    schedule_expression_timezone = "Etc/UTC"
    start_window = 60
    target_vault_name = "prod-backups"
  }
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}

resource "aws_backup_plan" "dev" {
  name = "dev-dev"
  rule {
    completion_window = 180
    enable_continuous_backup = false
    lifecycle {
      cold_storage_after = 0
      delete_after = 1
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "daily"
    schedule = "cron(0 5 ? * * *)"
    schedule_expression_timezone = "Etc/UTC"
    start_window = 60
    target_vault_name = "dev-backups"
  }
  tags = {
    Owner = "payments-team"
    Environment = "dev"
    DataClassification = "confidential"
  }
}
