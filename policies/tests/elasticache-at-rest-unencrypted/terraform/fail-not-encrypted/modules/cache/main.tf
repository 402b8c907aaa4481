resource "aws_elasticache_replication_group" "this" {
  count = 1
  at_rest_encryption_enabled = "false"
  description = "catalog cache"
  engine = "valkey"
  node_type = "cache.t4g.medium"
  num_cache_clusters = 1
  replication_group_id = "catalog-cache"
}
