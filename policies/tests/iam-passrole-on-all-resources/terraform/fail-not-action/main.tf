resource "aws_iam_policy" "all_but_s3" {
  name = "nots3"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"NotAction\": [\"s3:*\"], \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "all_roles_but_one" {
  name = "notres"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"NotResource\": \"arn:aws:iam::111122223333:role/admin\"}]}"
}

resource "aws_iam_policy" "not_iam" {
  name = "notiam"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"}]}"
}

resource "aws_iam_policy" "not_any_role" {
  name = "notroles"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"NotResource\": \"arn:aws:iam::*:role/*\"}]}"
}
