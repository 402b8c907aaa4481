resource "aws_s3_bucket" "site" {
  bucket = "site"
  force_destroy = false
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl = "public-read"
}

resource "aws_s3_bucket" "old" {
  bucket = "old"
  force_destroy = false
  acl = "public-read-write"
}

resource "aws_s3_bucket" "fine" {
  bucket = "fine"
  force_destroy = false
}
