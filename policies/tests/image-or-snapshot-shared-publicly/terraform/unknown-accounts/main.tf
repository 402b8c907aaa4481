resource "aws_db_snapshot" "shared" {
  db_instance_identifier = "orders"
  db_snapshot_identifier = "shared"
}
