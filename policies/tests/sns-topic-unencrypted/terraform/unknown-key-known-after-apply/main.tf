resource "aws_kms_key" "sns" {
  description = "SNS topics"
  enable_key_rotation = true
}

resource "aws_sns_topic" "orders" {
  kms_master_key_id = aws_kms_key.sns.id
  name = "orders"
}
