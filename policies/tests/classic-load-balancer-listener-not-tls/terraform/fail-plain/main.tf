module "legacy" {
  source = "./modules/legacy"
}

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
    instance_port = 8080
    instance_protocol = "http"
    lb_port = 80
    lb_protocol = "http"
    ssl_certificate_id = ""
  }
}

resource "aws_elb" "internal" {
  name = "internal"
  availability_zones = ["eu-west-1a"]
  listener {
    instance_port = 443
    instance_protocol = "https"
    lb_port = 443
    lb_protocol = "HTTPS"
    ssl_certificate_id = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  }
}

resource "aws_elb" "computed" {
  name = "computed"
  availability_zones = ["eu-west-1a"]
  listener {
    instance_port = 443
    instance_protocol = "https"
    lb_port = 443
    ssl_certificate_id = ""
  }
}
