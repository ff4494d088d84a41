pub struct Cart {
    pub items: Vec<i64>,
}

impl Cart {
    pub fn new() -> Self {
        Cart { items: vec![100, 250] }
    }
}
