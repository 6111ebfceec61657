pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    pub fn transpose(&self) -> Matrix {
        unimplemented!("transpose for {}x{}", self.rows, self.cols);
    }
}
