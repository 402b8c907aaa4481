resource "aws_elasticache_replication_group" "sessions" {
  at_rest_encryption_enabled = "true"
  auto_minor_version_upgrade = "true"
  automatic_failover_enabled = true
  data_tiering_enabled = false
  description = "sessions cache"
  engine = "redis"
  engine_version = "7.1"
  multi_az_enabled = true
  node_type = "cache.r7g.large"
  num_cache_clusters = 2
  parameter_group_name = "default.redis7"
  port = 6379
  replication_group_id = "sessions-prod"
  security_group_ids = ["sg-0a1b2c3d4e5f60718"]
  snapshot_retention_limit = 7
  subnet_group_name = "prod-cache"
  tags = {
    Owner = "web-team"
    Environment = "prod"
    DataClassification = "confidential"
  }
}
