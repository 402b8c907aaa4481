variable "tiers" {}

resource "aws_security_group" "this" {
  for_each = var.tiers
  name = each.key
}

resource "aws_vpc_security_group_ingress_rule" "in" {
  for_each = var.tiers
  security_group_id = aws_security_group.this[each.key].id
  cidr_ipv4 = each.value.source
}
