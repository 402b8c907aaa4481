resource "aws_dynamodb_table" "customers" {
  attribute {
    name = "customer_id"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  hash_key = "customer_id"
  name = "customers"
  server_side_encryption {
    enabled = true
  }
  tags = {
    DataClassification = "Restricted"
  }
}

resource "aws_dynamodb_table" "orders" {
  attribute {
    name = "order_id"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  hash_key = "order_id"
  name = "orders"
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
    kms_key_arn = aws_kms_key.orders.arn
  }
  tags = {
    DataClassification = "confidential"
  }
}

resource "aws_dynamodb_table" "sessions" {
  attribute {
    name = "session_id"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  hash_key = "session_id"
  name = "sessions"
  tags = {
    DataClassification = "internal"
  }
  ttl {
    attribute_name = "expires_at"
    enabled = true
  }
}

resource "aws_kms_key" "orders" {
  deletion_window_in_days = 30
  description = "orders table"
  enable_key_rotation = true
}
