resource "aws_lb_listener" "default" {
  default_action {
    type = "forward"
  }
  port = 80
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}
