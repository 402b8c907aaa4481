resource "aws_lb_listener" "postgres" {
  default_action {
    type = "forward"
  }
  port = 5432
  protocol = "TCP"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}
