resource "aws_s3_bucket" "trail" {
  bucket = "trail"
  force_destroy = false
  object_lock_enabled = true
}

resource "aws_cloudtrail" "org" {
  s3_bucket_name = aws_s3_bucket.trail.id
}

resource "aws_s3_bucket_object_lock_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id
}
