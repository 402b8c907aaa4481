resource "aws_kinesis_stream" "clicks" {
  encryption_type = data.aws_ssm_parameter.stream_encryption.value
  kms_key_id = "alias/aws/kinesis"
  name = "clicks"
  shard_count = 1
}

data "aws_ssm_parameter" "stream_encryption" {
  name = "/baseline/kinesis-encryption-type"
  depends_on = [aws_ssm_parameter.baseline_version]
}
