module "logs" {
  source = "./modules/logs"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = "{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringEquals\":{\"AWS:SourceArn\":\"arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL\"}},\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudfront.amazonaws.com\"},\"Resource\":\"arn:aws:s3:::prod-data/*\",\"Sid\":\"ReadFromCdn\"},{\"Action\":\"s3:*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}},\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::prod-data\",\"arn:aws:s3:::prod-data/*\"],\"Sid\":\"DenyInsecureTransport\"}],\"Version\":\"2012-10-17\"}"
}

resource "aws_s3_bucket_policy" "assets" {
  for_each = local.regions
  bucket = aws_s3_bucket.assets.id
  policy = "{\"Statement\":{\"Action\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}},\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::prod-assets\",\"arn:aws:s3:::prod-assets/*\"],\"Sid\":\"DenyInsecureTransport\"},\"Version\":\"2012-10-17\"}"
}
