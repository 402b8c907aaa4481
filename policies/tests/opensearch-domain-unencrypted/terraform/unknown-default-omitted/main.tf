variable "encrypt_at_rest" {}

resource "aws_elasticsearch_domain" "logs" {
  domain_name = "logs-legacy"
  ebs_options {
    ebs_enabled = true
    volume_size = 50
  }
  elasticsearch_version = "7.10"
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "encrypt_at_rest" {
    for_each = var.encrypt_at_rest
    content {}
  }
}

resource "aws_opensearch_domain" "search" {
  cluster_config {
    instance_type = "r7g.large.search"
  }
  domain_name = "search-prod"
  ebs_options {
    ebs_enabled = true
    volume_size = 100
  }
  engine_version = "OpenSearch_2.17"
  # Left out of the plan's configuration, as Terraform leaves `dynamic` blocks.
  dynamic "encrypt_at_rest" {
    for_each = var.encrypt_at_rest
    content {}
  }
}
