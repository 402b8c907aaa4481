resource "aws_s3_bucket" "website" {
  bucket = "website"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "website" {
  bucket = aws_s3_bucket.website.id
}

resource "aws_s3_bucket" "many" {
  count = 2
}

resource "aws_s3_bucket_public_access_block" "many" {
  count = 2
  bucket = aws_s3_bucket.many
}
