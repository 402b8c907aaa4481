resource "aws_sns_topic" "alerts" {
  kms_master_key_id = "alias/aws/sns"
  name = "alerts"
}

resource "aws_sns_topic" "orders" {
  content_based_deduplication = true
  fifo_topic = true
  kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  name = "orders.fifo"
}
