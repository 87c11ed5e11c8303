package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestRunWithoutAccount(t *testing.T) {
	t.Setenv("MAILGUN_API_KEY", "")
	out := filepath.Join(t.TempDir(), "bounces.csv")
	require.NoError(t, run(context.Background(), "example.com", out, ""))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "address,code,error,created_at", lines[0])
	assert.True(t, strings.HasPrefix(lines[2], `bob+news@example.org,552,"Mailbox full, over quota",`), lines[2])
}

// TestExportReimports checks that the export is in the format Import reads.
func TestExportReimports(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }))
	created := time.Date(2024, 2, 29, 23, 59, 59, 0, time.FixedZone("", -7*3600))
	srv.AddBounces("a.example",
		mailgun.Bounce{Address: "x+1@example.org", Code: "551", Error: "quoted \"text\", with comma", CreatedAt: created},
		mailgun.Bounce{Address: "y@example.org"},
	)
	c := srv.Client()
	var buf bytes.Buffer
	n, err := exportBounces(context.Background(), c, "a.example", &buf)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	require.NoError(t, c.Bounces.Import(context.Background(), "b.example", &buf))
	want, got := srv.Bounces("a.example"), srv.Bounces("b.example")
	require.Len(t, got, len(want))
	for i := range want {
		assert.True(t, want[i].CreatedAt.Equal(got[i].CreatedAt), "%v, %v", want[i].CreatedAt, got[i].CreatedAt)
		want[i].CreatedAt, got[i].CreatedAt = time.Time{}, time.Time{}
	}
	assert.Equal(t, want, got)
}
