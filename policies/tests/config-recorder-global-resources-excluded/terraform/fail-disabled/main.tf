module "config_ap_southeast_2" {
  source = "./modules/config-ap-southeast-2"
}

module "config_eu_west_1" {
  source = "./modules/config-eu-west-1"
}

module "config_us_east_1" {
  source = "./modules/config-us-east-1"
}
