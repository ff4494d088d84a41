mod cart;
mod pricing;

use crate::pricing::total;

fn main() {
    let cart = cart::Cart::new();
    println!("{}", total(&cart.items));
}
