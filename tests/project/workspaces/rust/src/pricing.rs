mod fees;

pub fn total(items: &[i64]) -> i64 {
    items.iter().sum::<i64>() + fees::FEE
}
