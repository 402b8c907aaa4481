resource "aws_lb_listener" "this" {
  count = 2
  certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/0b5e7a8e-3c1d-4d6e-9f2a-6a1b2c3d4e5f"
  default_action {
    type = "forward"
  }
  port = 443
  protocol = "TLS"
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}
