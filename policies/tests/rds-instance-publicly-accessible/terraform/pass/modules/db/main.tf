resource "aws_db_instance" "this" {
  identifier = "this[0]"
  engine = "postgres"
  instance_class = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  username = "app"
  password = "x"
  publicly_accessible = false
}
