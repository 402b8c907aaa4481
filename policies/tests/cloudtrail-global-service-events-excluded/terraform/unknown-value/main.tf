module "audit" {
  source = "./modules/audit"
}
