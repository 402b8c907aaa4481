variable "names" {}

resource "aws_sqs_queue" "this" {
  count = var.names
  name = var.names
  sqs_managed_sse_enabled = count.index
}
