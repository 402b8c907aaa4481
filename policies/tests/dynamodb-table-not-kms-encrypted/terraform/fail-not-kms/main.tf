module "ledger" {
  source = "./modules/ledger"
  kms = {
    balances = true
    entries = false
  }
  tables = {
    balances = "restricted"
    entries = "restricted"
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
  server_side_encryption {
    enabled = false
  }
  tags = {
    DataClassification = "confidential"
  }
}
