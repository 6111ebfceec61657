pub fn mean(values: &[f64]) -> f64 {
    // TODO: use Kahan summation
    values.iter().sum::<f64>() / values.len() as f64
}
