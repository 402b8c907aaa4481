resource "aws_kinesis_stream" "clicks" {
  encryption_type = "KMS"
  kms_key_id = aws_kms_key.kinesis.arn
  name = "clicks"
  retention_period = 48
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

resource "aws_kinesis_stream" "orders" {
  encryption_type = "KMS"
  kms_key_id = "alias/aws/kinesis"
  name = "orders"
  shard_count = 2
}

resource "aws_kms_key" "kinesis" {
  description = "Kinesis streams"
  enable_key_rotation = true
}
