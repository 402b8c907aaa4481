resource "aws_efs_file_system" "this" {
  for_each = {
    home = true
    shared = false
  }
  creation_token = each.key
  encrypted = each.value
  tags = each.key
}
