resource "aws_sqs_queue" "legacy_jobs" {
  name = "legacy-jobs"
  visibility_timeout_seconds = 120
}
