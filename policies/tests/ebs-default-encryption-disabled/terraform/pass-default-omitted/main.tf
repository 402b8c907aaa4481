module "account_baseline" {
  source = "./modules/baseline"
}
