module "cache" {
  source = "./modules/cache"
}

resource "aws_elasticache_replication_group" "sessions" {
  at_rest_encryption_enabled = false
  automatic_failover_enabled = true
  description = "session store"
  engine = "redis"
  engine_version = "7.1"
  node_type = "cache.r7g.large"
  num_cache_clusters = 2
  replication_group_id = "sessions"
  transit_encryption_enabled = true
}
