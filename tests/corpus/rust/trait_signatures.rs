pub trait Storage {
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    fn put(&mut self, key: &str, value: Vec<u8>);
    // TODO: add delete
    fn len(&self) -> usize;
}
