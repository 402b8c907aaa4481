resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_sns_topic" "audit" {
  kms_master_key_id = "alias/aws/sns"
  name = "audit"
}

resource "aws_sns_topic" "events" {
  count = 2
  name = count.index
}
