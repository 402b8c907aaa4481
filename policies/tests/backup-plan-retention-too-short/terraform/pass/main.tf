resource "aws_backup_plan" "daily" {
  name = "daily-prod"
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
      cold_storage_after = 30
      delete_after = 365
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "monthly"
    schedule = "cron(0 5 1 * ? *)"
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

resource "aws_backup_plan" "archive" {
  name = "archive-prod"
  rule {
    completion_window = 180
    enable_continuous_backup = false
    recovery_point_tags = {}
    rule_name = "weekly"
    schedule = "cron(0 6 ? * SUN *)"
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

resource "aws_backup_plan" "cold_only" {
  name = "cold-only-prod"
  rule {
    completion_window = 180
    enable_continuous_backup = false
    lifecycle {
      cold_storage_after = 30
      delete_after = 0
      opt_in_to_archive_for_supported_resources = false
    }
    recovery_point_tags = {}
    rule_name = "quarterly"
    schedule = "cron(0 7 1 */3 ? *)"
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
