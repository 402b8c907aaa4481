resource "aws_s3_bucket_policy" "data" {
}
