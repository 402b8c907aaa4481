resource "aws_s3_bucket" "scratch" {
  bucket = "acme-scratch-7f3a"
  force_destroy = false
}

resource "aws_s3_bucket" "imports" {
  bucket = "acme-imports-2b9c"
  force_destroy = false
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
      bucket_key_enabled = false
    }
  }
}
