resource "aws_iam_policy" "colon" {
  name = "colon"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*:*\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "listed" {
  name = "listed"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"**\"], \"Resource\": [\"arn:aws:*\"]}]}"
}

resource "aws_iam_policy" "arn_star" {
  name = "arn"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"?*:*\", \"Resource\": \"arn:*\"}]}"
}

resource "aws_iam_policy" "not_resource" {
  name = "notres"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"NotResource\": \"arn:aws:s3:::secrets/*\"}]}"
}

resource "aws_iam_policy" "iam_only" {
  name = "iamonly"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:*\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "s3_only" {
  name = "s3only"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:s3:::*\"}]}"
}
