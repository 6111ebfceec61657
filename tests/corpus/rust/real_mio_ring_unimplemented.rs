pub struct RingBuf {
    pos: uint,
}

impl RingBuf {
    #[inline]
    fn read_remaining(&self) -> uint {
        unimplemented!()
    }

    #[inline]
    fn write_remaining(&self) -> uint {
        unimplemented!()
    }
}
