variable "rule" {}

resource "aws_backup_plan" "daily" {
  name = "daily-prod"
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "rule" {
    for_each = var.rule
    content {}
  }
}
