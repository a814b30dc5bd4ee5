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

// The cgroup file readers never panic; an error is one line naming the
// file, and what they accept is non-negative.
func FuzzCgroupFiles(f *testing.F) {
	f.Add("nr_periods 30\nnr_throttled 12\nthrottled_time 700000000\n")
	f.Add("1500000000\n")
	f.Add("max")
	f.Add("oom_kill -1")
	f.Fuzz(func(t *testing.T, text string) {
		kv, err := parseFlatKeyed(text, "cpu.stat")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "docker: cgroup file cpu.stat: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("parseFlatKeyed(%q) error %q: want one line naming the file", text, err)
			}
		}
		for k, v := range kv {
			if v < 0 {
				t.Fatalf("parseFlatKeyed(%q)[%q] = %d, negative", text, k, v)
			}
		}
		n, err := parseCount(text, "cpuacct.usage")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "docker: cgroup file cpuacct.usage: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("parseCount(%q) error %q: want one line naming the file", text, err)
			}
		} else if n < 0 {
			t.Fatalf("parseCount(%q) = %d, negative", text, n)
		}
	})
}
