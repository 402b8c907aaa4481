variable "versioning" {}

resource "aws_s3_bucket" "trail" {
  bucket = "trail"
  force_destroy = false
}

resource "aws_cloudtrail" "org" {
  s3_bucket_name = aws_s3_bucket.trail.id
}

resource "aws_s3_bucket_versioning" "trail" {
  bucket = aws_s3_bucket.trail.id
  versioning_configuration {
    status = var.versioning
  }
}
