resource "aws_s3_bucket" "trail" {
  bucket = "trail"
  force_destroy = false
}

resource "aws_cloudtrail" "org" {
  s3_bucket_name = aws_s3_bucket.trail.id
}
