package mailgun_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/mgkit/mailgun"
)

// semver is a Semantic Versioning 2.0.0 version without the "v" of its
// tag: no leading zeros, an optional pre-release and build metadata.
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-((0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?` +
	`(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// TestVersion checks that Version is a valid semantic version, so that
// "v" + Version is a valid module tag, and that it is the newest release
// CHANGELOG.md lists (see RELEASING.md: the release commit does both).
func TestVersion(t *testing.T) {
	if !semver.MatchString(mailgun.Version) {
		t.Errorf("Version %q is not a semantic version such as 0.2.0 (without the v of the tag)", mailgun.Version)
	}
	for _, bad := range []string{"v0.1.0", "0.1", "01.2.3", "0.1.0-", "0.1.0-01", "0.1.0+"} {
		if semver.MatchString(bad) {
			t.Errorf("the semver pattern accepts %q", bad)
		}
	}
	changelog, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	release := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\]`).FindSubmatch(changelog)
	if release != nil && string(release[1]) != mailgun.Version {
		t.Errorf("CHANGELOG.md's newest release is %s but Version is %s: the release commit sets both", release[1], mailgun.Version)
	}
}
