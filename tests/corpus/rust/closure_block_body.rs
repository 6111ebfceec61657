fn main() {
    let numbers = vec![1, 2, 3];
    let score = |n: &i32| -> i32 {
        todo!()
    };
    let total: i32 = numbers.iter().map(score).sum();
    println!("{total}");
}
