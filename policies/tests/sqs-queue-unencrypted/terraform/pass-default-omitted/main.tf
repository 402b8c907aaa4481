resource "aws_sqs_queue" "events" {
  name = "events"
}
