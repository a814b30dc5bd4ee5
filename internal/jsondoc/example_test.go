package jsondoc_test

import (
	"fmt"
	"strings"

	"github.com/berthsched/berth/internal/jsondoc"
)

func ExampleDecode() {
	type pool struct {
		Type  string `json:"type"`
		Count int    `json:"count"`
	}
	var doc struct {
		Pools []pool `json:"pools"`
	}
	src := `{"pools": [
  {"type": "m5.large", "count": 2},
  {"type": "c5.xlarge", "Count": 3}
]}`
	n, err := jsondoc.ReadDocument(strings.NewReader(src), "fleet.json", jsondoc.DefaultLimits)
	if err == nil {
		err = jsondoc.Decode(n, "fleet.json", &doc)
	}
	fmt.Println(err)
	// Output: fleet.json:3:25: pools[1]: unknown field "Count"
}
