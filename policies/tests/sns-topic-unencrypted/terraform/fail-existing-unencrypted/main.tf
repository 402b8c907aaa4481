resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_sns_topic" "billing" {
  kms_master_key_id = "alias/aws/sns"
  name = "billing"
}
