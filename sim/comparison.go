package sim

import (
	"time"
)

// Comparison is the results of one scenario run with several placement
// variants, in the order they were compared.
type Comparison struct {
	Scenario string        `json:"scenario"`
	Seed     uint64        `json:"seed"`
	Duration time.Duration `json:"-"`
	Results  []*Result     `json:"-"`
}
