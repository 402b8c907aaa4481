resource "aws_backup_plan" "this" {
  name = "this-prod"
  rule {
    completion_window = 180
    enable_continuous_backup = false
    lifecycle {
      cold_storage_after = 0
      delete_after = 35
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "daily"
    schedule = "cron(0 5 ? * * *)"
    schedule_expression_timezone = "Etc/UTC"
    start_window = 60
    target_vault_name = "prod-backups"
  }
  rule {
    completion_window = 180
    enable_continuous_backup = false
    lifecycle {
      cold_storage_after = 0
      delete_after = 3
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "hourly"
    schedule = "cron(0 * ? * * *)"
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
