resource "aws_kinesis_stream" "clicks" {
  name = "clicks"
  retention_period = 48
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

resource "aws_kinesis_stream" "orders" {
  encryption_type = each.key
  kms_key_id = each.key
  name = each.key
  shard_count = 1
}
