package main

import (
	"fmt"

	"example.com/shop/pricing"
)

func main() {
	fmt.Println(pricing.Total([]int{100, 250}))
}
