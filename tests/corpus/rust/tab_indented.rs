pub fn checksum(data: &[u8]) -> u32 {
	unimplemented!()
}

pub fn len(data: &[u8]) -> usize {
	data.len()
}
