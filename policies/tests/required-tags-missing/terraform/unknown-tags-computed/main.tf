resource "aws_kms_key" "scratch" {
  bypass_policy_lockout_safety_check = false
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  deletion_window_in_days = 30
  description = "Payments data key"
  enable_key_rotation = true
  is_enabled = true
  key_usage = "ENCRYPT_DECRYPT"
}
