variable "acl" {}

resource "aws_s3_bucket" "site" {
  bucket = "site"
  force_destroy = false
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl = var.acl
}
