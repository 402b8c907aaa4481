resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  force_destroy = false
}

resource "aws_s3_bucket_acl" "logs" {
  bucket = aws_s3_bucket.logs.id
  acl = "log-delivery-write"
}

resource "aws_s3_bucket" "plain" {
  bucket = "plain"
  force_destroy = false
}

resource "aws_s3_bucket" "legacy" {
  bucket = "legacy"
  force_destroy = false
  acl = "private"
}
