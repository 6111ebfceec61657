/// Returns the larger value.
/// TODO: make generic over PartialOrd
pub fn max(a: i32, b: i32) -> i32 {
    if a > b { a } else { b }
}
