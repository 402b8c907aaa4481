module "nlb" {
  source = "./modules/nlb"
}

resource "aws_lb_listener" "http" {
  default_action {
    type = "forward"
  }
  port = 80
  protocol = "HTTP"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}

resource "aws_lb_listener" "same_protocol" {
  default_action {
    redirect {
      host = "#{host}"
      path = "/app/#{path}"
      port = "#{port}"
      protocol = "#{protocol}"
      query = "#{query}"
      status_code = "HTTP_301"
    }
    type = "redirect"
  }
  port = 8080
  protocol = "HTTP"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}

resource "aws_alb_listener" "status" {
  for_each = local.regions
  default_action {
    fixed_response {
      content_type = "text/plain"
      message_body = "not found"
      status_code = "404"
    }
    type = "fixed-response"
  }
  port = 80
  protocol = "HTTP"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}

resource "aws_lb_listener" "https" {
  certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/0b5e7a8e-3c1d-4d6e-9f2a-6a1b2c3d4e5f"
  default_action {
    type = "forward"
  }
  port = 443
  protocol = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "internal"
  }
  load_balancer_arn = aws_lb.web.arn
}
