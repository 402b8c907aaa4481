resource "aws_elasticsearch_domain" "logs" {
  cluster_config {
    instance_type = "r6g.large.elasticsearch"
  }
  domain_name = "logs-legacy"
  ebs_options {
    ebs_enabled = true
    volume_size = 50
  }
  elasticsearch_version = "7.10"
  encrypt_at_rest {
    enabled = false
  }
}

resource "aws_opensearch_domain" "analytics" {
  cluster_config {
    instance_type = "r7g.large.search"
  }
  domain_name = "analytics"
  ebs_options {
    ebs_enabled = true
    volume_size = 100
  }
  encrypt_at_rest {
    enabled = true
  }
  engine_version = "OpenSearch_2.17"
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
  encrypt_at_rest {
    enabled = false
  }
  engine_version = "OpenSearch_2.17"
}
