variable "kms" {}

variable "tables" {}

resource "aws_dynamodb_table" "this" {
  for_each = var.tables
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  hash_key = "pk"
  name = each.key
  range_key = "sk"
  server_side_encryption {
    enabled = var.kms
  }
  tags = each.value
}
