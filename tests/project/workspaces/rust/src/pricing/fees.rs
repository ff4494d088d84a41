/// Added to every order, in cents.
pub const FEE: i64 = 50;
