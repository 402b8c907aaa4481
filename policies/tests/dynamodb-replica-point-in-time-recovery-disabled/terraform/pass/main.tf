resource "aws_dynamodb_table" "orders" {
  name = "orders"
  hash_key = "id"
  billing_mode = "PAY_PER_REQUEST"
  point_in_time_recovery {
    enabled = true
  }
  replica {
    region_name = "eu-west-1"
    point_in_time_recovery = true
    propagate_tags = true
    kms_key_arn = ""
  }
  replica {
    region_name = "us-east-1"
    point_in_time_recovery = true
    propagate_tags = true
    kms_key_arn = ""
  }
}

resource "aws_dynamodb_table_replica" "orders_ap" {
  global_table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
  point_in_time_recovery = true
}
