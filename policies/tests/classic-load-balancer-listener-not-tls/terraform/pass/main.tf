resource "aws_elb" "web" {
  name = "web"
  availability_zones = ["eu-west-1a"]
  listener {
    instance_port = 8080
    instance_protocol = "http"
    lb_port = 443
    lb_protocol = "https"
    ssl_certificate_id = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  }
  listener {
    instance_port = 8443
    instance_protocol = "ssl"
    lb_port = 8443
    lb_protocol = "SSL"
    ssl_certificate_id = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  }
}
