resource "aws_s3_bucket" "private" {
  bucket = "private"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "private" {
  bucket = aws_s3_bucket.private.id
}

resource "aws_s3_bucket" "default" {
  bucket = "default"
  force_destroy = false
}

resource "aws_s3_bucket" "many" {
  count = 2
}

resource "aws_s3_bucket_public_access_block" "many" {
  count = 2
  bucket = aws_s3_bucket.many
}
