// Package repocheck holds tests over the repository's own source and
// documentation rather than over code: every reference in a comment, a test
// name or a document can be followed from the repository alone, and no
// code cuts a package's prefix off an error's text (errors are located
// with package fielderr and inspected with errors.As).
//
// The package has no API; its test walks the .go and .md files from the
// module root (testdata folders excluded) and reports every offending line
// as file:line with the rule it breaks:
//
//   - no citation of a specification outside the repository (its file
//     name, "spec 4.1" or "§4.1" without a pointer into docs/);
//   - no file of the surrounding work area (a design or style note, or a
//     ../shared/ path other than the traces, which berth reads from
//     ../shared/traces by default);
//   - every numbered ECS edge case cited ("case 63", "cases 47-62", a test
//     named "8.5-63 ...") is a row of docs/ecs-behaviour.md.
package repocheck
