extern "C" {
    fn abs(input: i32) -> i32;
    fn strlen(s: *const u8) -> usize;
}

pub fn absolute(x: i32) -> i32 {
    unsafe { abs(x) }
}
