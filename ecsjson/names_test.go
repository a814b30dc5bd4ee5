package ecsjson

import (
	"strings"
	"testing"
)

// TestNamesArePrintable checks that ARNs and names holding a control or
// bidirectional formatting character are rejected where they are read,
// quoted in the error, and that container names are checked too.
func TestNamesArePrintable(t *testing.T) {
	tests := []struct {
		name, want string
		read       func() error
	}{
		{"instance ARN with ESC", `ecsjson: containerInstances[0].containerInstanceArn: "arn:i\x1b[2J" has the control character U+001B at byte 5; expected printable characters`,
			func() error {
				_, err := ReadSnapshot(strings.NewReader(doc("", `{"containerInstanceArn": "arn:i\u001b[2J"}`)))
				return err
			}},
		{"attribute name with U+202E", `ecsjson: containerInstances[0].attributes[0].name: "ecs.os\u202e" has the formatting character U+202E at byte 6`,
			func() error {
				_, err := ReadSnapshot(strings.NewReader(doc("", inst("0", `"attributes": [{"name": "ecs.os\u202e", "value": "linux"}]`))))
				return err
			}},
		{"task ARN with a newline", `ecsjson: tasks[0].taskArn: "t\n" has the control character U+000A at byte 1`,
			func() error {
				_, err := ReadSnapshot(strings.NewReader(doc(`[{"taskArn": "t\n", "containerInstanceArn": "arn:i0"}]`, inst("0", ""))))
				return err
			}},
		{"container name with NUL", `ecsjson: containerDefinitions[0].name: "web\x00" has the control character U+0000 at byte 3`,
			func() error {
				_, err := ReadTaskDefinition(strings.NewReader(tdDoc("", `{"name": "web\u0000", "memory": 512}`)))
				return err
			}},
		{"family with ESC", `ecsjson: family: "w\x1beb" has the control character U+001B at byte 1`,
			func() error {
				_, err := ReadTaskDefinition(strings.NewReader(strings.Replace(tdDoc(""), `"web"`, `"w\u001beb"`, 1)))
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to start %q", err, tt.want)
			}
			checkOneLineError(t, err)
			if strings.ContainsAny(err.Error(), "\x00\x1b\u202e") {
				t.Errorf("error prints a control character raw: %q", err)
			}
		})
	}
}
