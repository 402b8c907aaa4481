resource "aws_elb" "api" {
  name = "api"
  availability_zones = ["eu-west-1a"]
  listener {
    instance_port = 9000
    instance_protocol = "tcp"
    lb_port = 9000
    lb_protocol = "TCP"
    ssl_certificate_id = ""
  }
}
