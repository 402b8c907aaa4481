resource "aws_dynamodb_table" "this" {
  name = "entries"
  hash_key = "id"
  billing_mode = "PAY_PER_REQUEST"
  point_in_time_recovery {
    enabled = true
  }
  replica {
    region_name = "us-west-2"
    point_in_time_recovery = false
    propagate_tags = false
    kms_key_arn = ""
  }
}
