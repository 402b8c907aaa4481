resource "aws_s3_bucket" "data" {
  bucket = "data"
  force_destroy = false
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.tls.json
}
