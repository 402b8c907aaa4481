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
    enabled = true
  }
}

resource "aws_kms_key" "search" {
  description = "OpenSearch"
  enable_key_rotation = true
}

resource "aws_opensearch_domain" "search" {
  cluster_config {
    instance_count = 3
    instance_type = "r7g.large.search"
  }
  domain_endpoint_options {
    enforce_https = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
  domain_name = "search-prod"
  ebs_options {
    ebs_enabled = true
    volume_size = 100
    volume_type = "gp3"
  }
  encrypt_at_rest {
    enabled = true
    kms_key_id = aws_kms_key.search.arn
  }
  engine_version = "OpenSearch_2.17"
  node_to_node_encryption {
    enabled = true
  }
}
