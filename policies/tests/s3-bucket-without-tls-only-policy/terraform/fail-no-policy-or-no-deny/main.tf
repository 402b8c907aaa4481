resource "aws_s3_bucket" "bare" {
  bucket = "bare"
  force_destroy = false
}

resource "aws_s3_bucket" "shared" {
  bucket = "shared"
  force_destroy = false
}

resource "aws_s3_bucket_policy" "shared" {
  bucket = aws_s3_bucket.shared.id
}
