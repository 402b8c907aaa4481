resource "aws_ami_launch_permission" "public" {
  image_id = "ami-0123456789abcdef0"
  group = "all"
}

resource "aws_db_snapshot" "public" {
  db_instance_identifier = "orders"
  db_snapshot_identifier = "public"
  shared_accounts = ["210987654321", "all"]
}

resource "aws_ami_launch_permission" "partner" {
  image_id = "ami-0123456789abcdef0"
  account_id = "210987654321"
}
