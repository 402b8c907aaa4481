resource "aws_iam_policy" "mid_glob" {
  name = "mid"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:P*Role\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "two_globs" {
  name = "two"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"iam:*Ro*\"], \"Resource\": [\"arn:aws:s3:::b/*\", \"arn:*:iam::*:role/*\"]}]}"
}

resource "aws_iam_policy" "mark" {
  name = "mark"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"IAM:Pass?ole\", \"Resource\": \"arn:aws:iam::111122223333:role/?*\"}]}"
}

resource "aws_iam_policy" "star" {
  name = "star"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_role_policy" "lower_effect" {
  name = "lower"
  role = "r"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"iam:passrole\", \"Resource\": \"*:role/*\"}]}"
}

resource "aws_iam_policy" "get_roles" {
  name = "get"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"iam:Get*\", \"iam:List*\"], \"Resource\": \"*\"}]}"
}
