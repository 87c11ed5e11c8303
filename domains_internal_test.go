package mailgun

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLenientDecode feeds arbitrary bytes, seeded with the domain and tag
// examples, to the lenient decoders of domains, DNS records and tags:
// decoding may fail, never panic, and a well-formed JSON object always
// decodes (a field of the wrong type is dropped, never fatal).
func FuzzLenientDecode(f *testing.F) {
	for _, dir := range []string{"domains", "tags"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "examples", dir, "*.json"))
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"name":5,"created_at":true,"disabled":{"until":[]},"message_ttl":"x","NAME":"a.example.com"}`))
	f.Add([]byte(`{"first-seen":"2023-01-02 02:14:27 +0000 UTC m=+0.1","tag":"t","tag":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var details domainDetailsWire
		if json.Unmarshal(data, &details) == nil {
			_, _ = details.value("GET")
		}
		var list domainListWire
		_ = json.Unmarshal(data, &list)
		var page linkPage[tagFields]
		_ = json.Unmarshal(data, &page)

		trimmed := bytes.TrimSpace(data)
		if !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
			return
		}
		var d lenient[domainFields]
		if err := json.Unmarshal(trimmed, &d); err != nil {
			t.Fatalf("domain object %s: %v", trimmed, err)
		}
		_ = d.V.value()
		var r lenient[recordFields]
		if err := json.Unmarshal(trimmed, &r); err != nil {
			t.Fatalf("record object %s: %v", trimmed, err)
		}
		var tag lenient[tagFields]
		if err := json.Unmarshal(trimmed, &tag); err != nil {
			t.Fatalf("tag object %s: %v", trimmed, err)
		}
	})
}
