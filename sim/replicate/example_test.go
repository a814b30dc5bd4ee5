package replicate_test

import (
	"fmt"

	"github.com/berthsched/berth/sim/replicate"
)

func ExampleCI95() {
	// The cost of one configuration over five seeds.
	iv := replicate.CI95([]float64{24.75, 24.25, 24.59, 24.69, 25.05})
	fmt.Printf("%.2f [%.2f, %.2f]\n", iv.Mean, iv.Low, iv.High)
	// Output: 24.67 [24.31, 25.02]
}
