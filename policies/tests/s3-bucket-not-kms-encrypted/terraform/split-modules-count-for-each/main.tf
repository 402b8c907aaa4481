variable "server_side_encryption_configuration" {}

module "data" {
  source = "./modules/data"
  for_each = {
    eu = {}
  }
}

resource "aws_s3_bucket" "c" {
  count = 2
  bucket = count.index
  tags = {
    Owner = "data-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "server_side_encryption_configuration" {
    for_each = var.server_side_encryption_configuration
    content {}
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "c" {
  count = 1
  bucket = aws_s3_bucket.c[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms:dsse"
    }
  }
}

resource "aws_s3_bucket" "x" {
  for_each = {
    ledger = "acme-ledger"
  }
  bucket = each.key
  tags = {
    Owner = "data-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "server_side_encryption_configuration" {
    for_each = var.server_side_encryption_configuration
    content {}
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "fx" {
  for_each = aws_s3_bucket.x
  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
