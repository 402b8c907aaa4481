resource "aws_db_instance" "defaulted" {
  identifier = "defaulted"
  engine = "postgres"
  instance_class = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  username = "app"
  password = "x"
}
