pub trait Shape {
    fn area(&self) -> f64;

    fn describe(&self) -> String {
        todo!("describe the shape")
    }
}
