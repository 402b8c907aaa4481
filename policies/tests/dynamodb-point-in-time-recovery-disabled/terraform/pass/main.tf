module "events" {
  source = "./modules/events"
}

resource "aws_dynamodb_table" "orders" {
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  deletion_protection_enabled = true
  hash_key = "pk"
  name = "orders-prod"
  point_in_time_recovery {
    enabled = true
  }
  range_key = "sk"
  server_side_encryption {
    enabled = true
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/5f0c1a52-3c4e-4d0b-9a51-0d6f2a1f7e11"
  }
  stream_enabled = false
  table_class = "STANDARD"
  tags = {
    Owner = "payments-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
  ttl {
    attribute_name = "expires_at"
    enabled = true
  }
}

resource "aws_dynamodb_table" "sessions" {
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  deletion_protection_enabled = true
  hash_key = "pk"
  name = "sessions-dev"
  point_in_time_recovery {
    enabled = false
  }
  range_key = "sk"
  server_side_encryption {
    enabled = true
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/5f0c1a52-3c4e-4d0b-9a51-0d6f2a1f7e11"
  }
  stream_enabled = false
  table_class = "STANDARD"
  tags = {
    Owner = "payments-team"
    Environment = "dev"
    DataClassification = "confidential"
  }
  ttl {
    attribute_name = "expires_at"
    enabled = true
  }
}
