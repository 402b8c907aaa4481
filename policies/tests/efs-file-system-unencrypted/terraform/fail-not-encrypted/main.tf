module "storage" {
  source = "./modules/storage"
}
