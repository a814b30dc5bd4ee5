package printable

import (
	"strconv"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		s       string
		wantErr string // "" for a valid name
	}{
		{"plain", "m5.large", ""},
		{"spaces and punctuation", "web api (v2): blue/green", ""},
		{"letters beyond ASCII", "zürich-1a 東京", ""},
		{"the replacement character written out", "a\uFFFDb", ""},
		{"empty", "", ""},
		{"NUL", "a\x00b", "has the control character U+0000 at byte 1"},
		{"ESC", "\x1b[31mred", "has the control character U+001B at byte 0"},
		{"newline", "web\nINFO forged", "has the control character U+000A at byte 3"},
		{"tab", "a\tb", "has the control character U+0009 at byte 1"},
		{"DEL", "a\x7f", "has the control character U+007F at byte 1"},
		{"C1 control", "a\u0085", "has the control character U+0085 at byte 1"},
		{"right-to-left override", "abc\u202Egpj.exe", "has the formatting character U+202E at byte 3"},
		{"zero width space", "a\u200Bb", "has the formatting character U+200B at byte 1"},
		{"byte order mark", "\uFEFFweb", "has the formatting character U+FEFF at byte 0"},
		{"line separator", "a\u2028b", "has the formatting character U+2028 at byte 1"},
		{"invalid UTF-8", "a\xffb", "has a byte that is not UTF-8 at byte 1"},
		{"no-break space", "a\u00a0b", "has the unprintable character U+00A0 at byte 1"},
		{"unassigned code point", "a\u07bf", "has the unprintable character U+07BF at byte 1"},
		{"private use", "\ue000", "has the unprintable character U+E000 at byte 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.s)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check(%q) = %v, want nil", tt.s, err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Errorf("Check(%q) = %v, want an error starting %q", tt.s, err, tt.wantErr)
			case err != nil && strings.ContainsAny(err.Error(), "\x00\x1b\n\u202e"):
				t.Errorf("Check(%q) = %q, which prints the character itself", tt.s, err)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	s := "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0123456789abcdef"
	b.ReportAllocs()
	for b.Loop() {
		if Check(s) != nil {
			b.Fatal("valid name rejected")
		}
	}
}

// FuzzCheck checks that Check accepts exactly the strings whose %q form
// has no escapes other than for quotes and backslashes, and that its
// error is plain ASCII, never printing the character itself.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"m5.large", "a\x00b", "\x1b[31m", "abc\u202egpj", "zürich", "a\xffb", "\uFEFF", "a\u2028b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Check(s)
		if err != nil && strings.IndexFunc(err.Error(), func(r rune) bool { return r < ' ' || r > '~' }) >= 0 {
			t.Fatalf("Check(%q) = %q, which is not plain ASCII", s, err)
		}
		q := strconv.Quote(s)
		q = strings.NewReplacer(`\\`, "", `\"`, "").Replace(q[1 : len(q)-1])
		if escaped := strings.Contains(q, `\`); escaped != (err != nil) {
			t.Fatalf("Check(%q) = %v, but the name quotes as %s", s, err, strconv.Quote(s))
		}
	})
}
