// TODO: implement once the config format is settled
#[allow(unused_variables)]
pub fn load_config(path: &str) {}
