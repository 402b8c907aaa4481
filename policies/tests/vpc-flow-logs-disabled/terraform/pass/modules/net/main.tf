variable "vpcs" {}

resource "aws_vpc" "this" {
  for_each = var.vpcs
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "this" {
  for_each = var.vpcs
  vpc_id = aws_vpc.this[each.key].id
  traffic_type = "REJECT"
  log_destination = aws_s3_bucket.flow.arn
}
