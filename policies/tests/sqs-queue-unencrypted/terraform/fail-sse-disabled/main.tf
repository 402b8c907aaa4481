module "workers" {
  source = "./modules/queues"
  names = ["thumbnails", "emails"]
}

resource "aws_sqs_queue" "events" {
  name = "events"
  sqs_managed_sse_enabled = false
}
