variable "algorithms" {}

variable "server_side_encryption_configuration" {}

variable "zones" {}

resource "aws_s3_bucket" "b" {
  for_each = var.zones
  bucket = each.key
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "server_side_encryption_configuration" {
    for_each = var.server_side_encryption_configuration
    content {}
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "e" {
  for_each = var.zones
  bucket = aws_s3_bucket.b[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = var.algorithms
    }
  }
}
