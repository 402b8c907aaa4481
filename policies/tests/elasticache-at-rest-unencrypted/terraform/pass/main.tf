resource "aws_elasticache_replication_group" "rate_limits" {
  at_rest_encryption_enabled = "true"
  description = "rate limiter"
  engine = "redis"
  engine_version = "7.1"
  node_type = "cache.t4g.medium"
  num_cache_clusters = 1
  replication_group_id = "rate-limits"
  transit_encryption_enabled = true
}

resource "aws_elasticache_replication_group" "sessions" {
  at_rest_encryption_enabled = true
  automatic_failover_enabled = true
  description = "session store"
  engine = "valkey"
  engine_version = "8.0"
  kms_key_id = aws_kms_key.cache.arn
  node_type = "cache.r7g.large"
  num_cache_clusters = 2
  replication_group_id = "sessions"
  transit_encryption_enabled = true
}

resource "aws_kms_key" "cache" {
  description = "ElastiCache"
  enable_key_rotation = true
}
