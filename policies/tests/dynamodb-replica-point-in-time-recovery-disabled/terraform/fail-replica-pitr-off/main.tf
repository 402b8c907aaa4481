module "ledger" {
  source = "./modules/ledger"
}

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
    point_in_time_recovery = false
    propagate_tags = true
    kms_key_arn = ""
  }
}

resource "aws_dynamodb_table_replica" "orders_ap" {
  point_in_time_recovery = false
}

resource "aws_dynamodb_table_replica" "orders_sa" {
  point_in_time_recovery = true
}

resource "aws_dynamodb_table" "computed" {
  name = "computed"
  hash_key = "id"
  billing_mode = "PAY_PER_REQUEST"
  point_in_time_recovery {
    enabled = true
  }
  replica {
    region_name = "us-west-2"
    propagate_tags = false
    kms_key_arn = ""
  }
}
