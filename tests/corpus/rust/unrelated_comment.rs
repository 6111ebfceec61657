pub struct Silent;

impl Drop for Silent {
    fn drop(&mut self) {
        // nothing to release
    }
}
