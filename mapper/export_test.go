package mapper

// Unbounded compiles without the evaluation budget, for the benchmark that
// measures what the budget costs. Nothing outside tests may do this.
func Unbounded(o LoadOptions) LoadOptions {
	o.unbounded = true
	return o
}
