resource "aws_kms_key" "sqs" {
  description = "SQS queues"
  enable_key_rotation = true
}

resource "aws_sqs_queue" "orders" {
  kms_data_key_reuse_period_seconds = 300
  kms_master_key_id = aws_kms_key.sqs.arn
  name = "orders"
}
