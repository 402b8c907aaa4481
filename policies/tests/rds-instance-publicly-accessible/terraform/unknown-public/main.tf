resource "aws_db_instance" "main" {
  identifier = "main"
  engine = "postgres"
  instance_class = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  username = "app"
  password = "x"
}
