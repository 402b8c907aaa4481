variable "restrict" {}

resource "aws_s3_bucket" "shared" {
  bucket = "shared"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "shared" {
  bucket = aws_s3_bucket.shared.id
  restrict_public_buckets = var.restrict
}
