package pricing

// Total adds the items and the fee.
func Total(items []int) int {
	return sum(items) + Fee
}
