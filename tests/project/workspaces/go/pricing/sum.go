package pricing

// Fee is added to every order, in cents.
const Fee = 50

func sum(items []int) int {
	total := 0
	for _, item := range items {
		total += item
	}
	return total
}
