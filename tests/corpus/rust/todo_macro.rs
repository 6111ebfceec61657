pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    todo!()
}

pub fn is_prerelease(text: &str) -> bool {
    text.contains('-')
}
