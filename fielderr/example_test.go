package fielderr_test

import (
	"errors"
	"fmt"

	"github.com/berthsched/berth/fielderr"
)

// A validator builds the error where it finds it, with the path it knows;
// the reader above adds the outer path, the file and the position.
func Example() {
	validate := func(mode string) error {
		if mode != "bridge" && mode != "awsvpc" {
			return fielderr.Invalid("networkMode", mode, "bridge or awsvpc")
		}
		return nil
	}
	err := validate("host")
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		err = fe.Under("services[2].taskDefinition").WithFile("scenario.json").At(14, 22)
	}
	fmt.Println(err)
	// Output: scenario.json:14:22: services[2].taskDefinition.networkMode: "host", expected bridge or awsvpc
}

// Wrap puts a library's error under the document's path, without the
// library's prefix, keeping its cause.
func ExampleWrap() {
	errNoField := errors.New("binpack field \"gpu\": expected cpu or memory")
	lib := fmt.Errorf("placement: %w", fielderr.Errorf("", "%w", errNoField))
	err := fielderr.Wrap("workload.placement.strategies[0]", lib)
	fmt.Println(err)
	fmt.Println(errors.Is(err, errNoField))
	// Output:
	// workload.placement.strategies[0]: binpack field "gpu": expected cpu or memory
	// true
}

func ExampleRequired() {
	err := fielderr.Required("fleet.instanceTypes[0].name", "")
	fmt.Println(err, errors.Is(err, fielderr.ErrRequired))
	// Output: fleet.instanceTypes[0].name: missing true
}
