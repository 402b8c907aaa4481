resource "aws_elasticache_replication_group" "catalog" {
  description = "catalog cache"
  engine = "valkey"
  node_type = "cache.t4g.medium"
  num_cache_clusters = 1
  replication_group_id = "catalog"
}

resource "aws_elasticache_replication_group" "sessions" {
  description = "session store"
  node_type = "cache.r7g.large"
  num_cache_clusters = 2
  replication_group_id = "sessions"
}
