resource "aws_vpc" "lonely" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "accept_only" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "accept" {
  vpc_id = aws_vpc.accept_only.id
  traffic_type = "ACCEPT"
  log_destination = aws_s3_bucket.flow.arn
}

resource "aws_vpc" "pair" {
  count = 2
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "pair" {
  count = 1
  vpc_id = aws_vpc.pair[0].id
  traffic_type = "ALL"
  log_destination = aws_s3_bucket.flow.arn
}
