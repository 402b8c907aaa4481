resource "aws_instance" "web" {
  ami = "ami-0c1bc246476a5572b"
  associate_public_ip_address = false
  get_password_data = false
  iam_instance_profile = "app-prod"
  instance_type = "t3.medium"
  metadata_options {
    http_endpoint = "enabled"
    http_protocol_ipv6 = "disabled"
    http_put_response_hop_limit = 1
    http_tokens = "required"
    instance_metadata_tags = "disabled"
  }
  monitoring = true
  root_block_device {
    delete_on_termination = true
    encrypted = true
    volume_size = 30
    volume_type = "gp3"
  }
  subnet_id = "subnet-0a1b2c3d4e5f60718"
  user_data_replace_on_change = false
  tags = {
    Name = "web-prod-1"
    Owner = "web-team"
  }
}

resource "aws_sqs_queue" "jobs" {
  content_based_deduplication = false
  delay_seconds = 0
  fifo_queue = false
  kms_master_key_id = "alias/aws/sqs"
  max_message_size = 262144
  message_retention_seconds = 345600
  name = "payments-jobs"
  receive_wait_time_seconds = 20
  visibility_timeout_seconds = 60
  tags = {
    Owner = "payments-team"
    Environment = "prod"
  }
}

resource "aws_sns_topic" "alerts" {
  content_based_deduplication = false
  fifo_topic = false
  kms_master_key_id = "alias/aws/sns"
  name = "payments-alerts"
  tags = {
    owner = "payments-team"
    environment = "prod"
    dataclassification = "internal"
  }
}

resource "aws_dynamodb_table" "ledger" {
  attribute {
    name = "pk"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  deletion_protection_enabled = true
  hash_key = "pk"
  name = "payments-ledger"
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}
