resource "aws_db_instance" "reporting" {
  identifier = "reporting"
  engine = "postgres"
  instance_class = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  username = "app"
  password = "x"
  publicly_accessible = true
}

resource "aws_db_instance" "private" {
  identifier = "private"
  engine = "postgres"
  instance_class = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  username = "app"
  password = "x"
  publicly_accessible = false
}
