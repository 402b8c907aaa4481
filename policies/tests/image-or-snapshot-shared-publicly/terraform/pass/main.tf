resource "aws_ami_launch_permission" "partner" {
  image_id = "ami-0123456789abcdef0"
  account_id = "210987654321"
}

resource "aws_db_snapshot" "monthly" {
  db_instance_identifier = "orders"
  db_snapshot_identifier = "monthly"
  shared_accounts = ["210987654321"]
}

resource "aws_db_snapshot" "private" {
  db_instance_identifier = "orders"
  db_snapshot_identifier = "private"
}
