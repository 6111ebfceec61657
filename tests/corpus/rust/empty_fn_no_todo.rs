pub fn init() {}

pub struct Unit;

impl Default for Unit {
    fn default() -> Self {
        Unit
    }
}
