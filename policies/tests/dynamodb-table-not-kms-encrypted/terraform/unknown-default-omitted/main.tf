variable "server_side_encryption" {}

resource "aws_dynamodb_table" "payments" {
  count = 2
  attribute {
    name = "payment_id"
    type = "S"
  }
  billing_mode = "PAY_PER_REQUEST"
  hash_key = "payment_id"
  name = count.index
  tags = {
    DataClassification = "confidential"
  }
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "server_side_encryption" {
    for_each = var.server_side_encryption
    content {}
  }
}
