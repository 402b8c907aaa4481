resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
}
