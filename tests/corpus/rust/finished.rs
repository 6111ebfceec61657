pub struct Counter {
    count: u64,
}

impl Counter {
    pub fn new() -> Self {
        Counter { count: 0 }
    }

    pub fn tick(&mut self) -> u64 {
        self.count += 1;
        self.count
    }
}
