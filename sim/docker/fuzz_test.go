package docker

import (
	"strings"
	"testing"
)

// A host rule never panics, and a rule read back from its String is the
// same rule.
func FuzzParseHostRule(f *testing.F) {
	for _, s := range []string{"unix:///var/run/docker.sock", "m5-*=tcp://h:2376", "[=x", "a=b=c://d", "=tcp://x:1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseHostRule(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "docker: ") || strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("ParseHostRule(%q) error %q: want one line prefixed docker:", s, err)
			}
			return
		}
		back, err := ParseHostRule(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseHostRule(%q) = %+v; its String %q reads back as %+v, %v", s, r, r.String(), back, err)
		}
	})
}

// Comparing arbitrary logs never panics, and the counts stay consistent.
func FuzzCompareLogs(f *testing.F) {
	f.Add(`{"time":0,"kind":"place","task":"a","instance":"i"}`+"\n"+`{"time":1,"kind":"finish","task":"a","reason":"x"}`, `{"time":2,"kind":"finish","task":"a","exitCode":1}`)
	f.Add("{", "")
	f.Fuzz(func(t *testing.T, simulated, onDocker string) {
		a, err := CompareLogs(strings.NewReader(simulated), strings.NewReader(onDocker))
		if err != nil {
			return
		}
		if a.SamePlacement > a.Tasks || a.SameOutcome > a.Finished || a.Discordant > a.Pairs || a.TimingMean > a.TimingMax || len(a.Diffs) > 10 {
			t.Fatalf("inconsistent agreement %+v", a)
		}
	})
}
