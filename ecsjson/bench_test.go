package ecsjson

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"pgregory.net/rapid"
)

func BenchmarkReadSnapshot(b *testing.B) {
	cluster, err := os.ReadFile(filepath.Join("..", "examples", "cluster.json"))
	if err != nil {
		b.Fatal(err)
	}
	inputs := []struct {
		name string
		data []byte
	}{
		{"examples/cluster.json", cluster},
		{"instances=1000", bigSnapshot(1000)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			s, err := ReadSnapshot(bytes.NewReader(in.data))
			if err != nil || len(s.ContainerInstances) == 0 {
				b.Fatalf("setup: %d instances, %v", len(s.ContainerInstances), err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := ReadSnapshot(bytes.NewReader(in.data)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(s.ContainerInstances))*float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		})
	}
}

// bigSnapshot encodes a generated snapshot of n instances, with as many
// tasks, in the CLI's shape.
func bigSnapshot(n int) []byte {
	gen := rapid.Custom(func(t *rapid.T) *Snapshot {
		s := &Snapshot{}
		for i := range n {
			s.ContainerInstances = append(s.ContainerInstances, genInstance(t, fmt.Sprintf("arn:aws:ecs:us-east-1:1:container-instance/c/%d", i)))
		}
		for i := range n {
			s.Tasks = append(s.Tasks, genTask(t, fmt.Sprintf("arn:aws:ecs:us-east-1:1:task/c/%d", i), s.ContainerInstances))
		}
		return s
	})
	return encode(gen.Example(1), encoding{})
}

func BenchmarkSubject(b *testing.B) {
	s, err := ReadSnapshot(bytes.NewReader(mustRead(b, filepath.Join("..", "examples", "cluster.json"))))
	if err != nil {
		b.Fatal(err)
	}
	c := &s.ContainerInstances[3]
	if _, ok := c.Attribute("team"); !ok {
		b.Fatal("setup: instance 3 lacks the team attribute")
	}
	b.Run("Attribute/last", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Attribute("team")
		}
	})
	b.Run("Attribute/absent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Attribute("absent")
		}
	})
	b.Run("TaskGroups", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.TaskGroups()
		}
	})
}

func mustRead(b *testing.B, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
