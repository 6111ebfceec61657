pub fn check(state: u8) -> u8 {
    match state {
        0 => 1,
        _ => unreachable!(),
    }
}

pub fn explode() {
    panic!("bad state");
}

pub fn never() -> u8 {
    unreachable!("never called")
}
