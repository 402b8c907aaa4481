resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted = true
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

resource "aws_neptune_cluster" "restored" {
  cluster_identifier = "restored"
  snapshot_identifier = "nightly"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
