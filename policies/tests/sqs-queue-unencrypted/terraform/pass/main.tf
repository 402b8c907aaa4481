resource "aws_sqs_queue" "events" {
  name = "events"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "events_dlq" {
  fifo_queue = true
  name = "events-dlq.fifo"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "orders" {
  kms_data_key_reuse_period_seconds = 300
  kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  name = "orders"
}

resource "aws_sqs_queue" "payments" {
  kms_master_key_id = "alias/aws/sqs"
  name = "payments"
}
