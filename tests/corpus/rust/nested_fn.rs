pub fn solve(input: &str) -> usize {
    fn parse_line(line: &str) -> Vec<usize> {
        todo!()
    }
    input.lines().map(parse_line).count()
}
