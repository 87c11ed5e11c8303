package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// BaselineEventsPage is a page of events as the baseline decodes it.
type BaselineEventsPage struct {
	Items  []BaselineEvent `json:"items"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// BaselineEvent is the floor's typed event: the fields of the Events API
// in plain structs that encoding/json fills without custom decoders. It
// models what mailgun.Event models, so both decoders do the same work,
// except that the floor keeps the timestamp as float seconds and keeps no
// copy of the raw object.
type BaselineEvent struct {
	ID                string          `json:"id"`
	Event             string          `json:"event"`
	Timestamp         float64         `json:"timestamp"`
	LogLevel          string          `json:"log-level"`
	Recipient         string          `json:"recipient"`
	RecipientDomain   string          `json:"recipient-domain"`
	RecipientProvider string          `json:"recipient-provider"`
	Method            string          `json:"method"`
	OriginatingIP     string          `json:"originating-ip"`
	APIKeyID          string          `json:"api-key-id"`
	PrimaryDKIM       string          `json:"primary-dkim"`
	Severity          string          `json:"severity"`
	Reason            string          `json:"reason"`
	URL               string          `json:"url"`
	IP                string          `json:"ip"`
	Tags              []string        `json:"tags"`
	Campaigns         []baseCampaign  `json:"campaigns"`
	UserVariables     json.RawMessage `json:"user-variables"`
	Envelope          *struct {
		Sender      string `json:"sender"`
		Targets     string `json:"targets"`
		Transport   string `json:"transport"`
		SendingIP   string `json:"sending-ip"`
		SendingHost string `json:"sending-host"`
		MailFrom    string `json:"mail-from"`
		IPPoolID    string `json:"i-ip-pool-id"`
	} `json:"envelope"`
	Message *struct {
		Headers struct {
			To        string `json:"to"`
			From      string `json:"from"`
			MessageID string `json:"message-id"`
			Subject   string `json:"subject"`
		} `json:"headers"`
		Attachments []struct {
			Filename    string `json:"filename"`
			ContentType string `json:"content-type"`
			Size        int64  `json:"size"`
		} `json:"attachments"`
		Recipients   []string `json:"recipients"`
		Size         int64    `json:"size"`
		ScheduledFor string   `json:"scheduled-for"`
	} `json:"message"`
	Flags *struct {
		IsAuthenticated *bool `json:"is-authenticated"`
		IsRouted        *bool `json:"is-routed"`
		IsSystemTest    *bool `json:"is-system-test"`
		IsTestMode      *bool `json:"is-test-mode"`
		IsDelayedBounce *bool `json:"is-delayed-bounce"`
		IsAMP           *bool `json:"is-amp"`
		IsEncrypted     *bool `json:"is-encrypted"`
		IsBig           *bool `json:"is-big"`
		IsCallback      *bool `json:"is-callback"`
	} `json:"flags"`
	DeliveryStatus *struct {
		Code                        int     `json:"code"`
		EnhancedCode                string  `json:"enhanced-code"`
		Message                     string  `json:"message"`
		Description                 string  `json:"description"`
		AttemptNo                   int     `json:"attempt-no"`
		MXHost                      string  `json:"mx-host"`
		RetrySeconds                int     `json:"retry-seconds"`
		SessionSeconds              float64 `json:"session-seconds"`
		FirstDeliveryAttemptSeconds float64 `json:"first-delivery-attempt-seconds"`
		TLS                         *bool   `json:"tls"`
		UTF8                        *bool   `json:"utf8"`
		CertificateVerified         *bool   `json:"certificate-verified"`
		LastCode                    int     `json:"last-code"`
		LastMessage                 string  `json:"last-message"`
		BounceType                  string  `json:"bounce-type"`
		BounceCode                  string  `json:"bounce-code"`
	} `json:"delivery-status"`
	Reject *struct {
		Reason      string `json:"reason"`
		Description string `json:"description"`
	} `json:"reject"`
	Storage *struct {
		Key    string `json:"key"`
		URL    string `json:"url"`
		Region string `json:"region"`
		Env    string `json:"env"`
	} `json:"storage"`
	Geolocation *struct {
		Country  string `json:"country"`
		Region   string `json:"region"`
		City     string `json:"city"`
		Timezone string `json:"timezone"`
	} `json:"geolocation"`
	ClientInfo *struct {
		ClientType     string `json:"client-type"`
		ClientOS       string `json:"client-os"`
		ClientName     string `json:"client-name"`
		DeviceType     string `json:"device-type"`
		UserAgent      string `json:"user-agent"`
		Bot            string `json:"bot"`
		IP             string `json:"ip"`
		AcceptLanguage string `json:"accept-language"`
	} `json:"client-info"`
	MailingList *struct {
		Address string `json:"address"`
		ListID  string `json:"list-id"`
		SID     string `json:"sid"`
	} `json:"mailing-list"`
	Routes []struct {
		ID          string `json:"id"`
		Expression  string `json:"expression"`
		Actions     string `json:"actions"`
		Priority    int    `json:"priority"`
		Description string `json:"description"`
		Match       struct {
			Recipient string `json:"recipient"`
		} `json:"match"`
	} `json:"routes"`
	Batch *struct {
		ID string `json:"id"`
	} `json:"batch"`
	Template *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		IsText  *bool  `json:"is-text"`
	} `json:"template"`
	TaskID            string `json:"task-id"`
	Format            string `json:"format"`
	MemberDescription string `json:"member-description"`
	Member            *struct {
		Address    string `json:"address"`
		Name       string `json:"name"`
		Subscribed bool   `json:"subscribed"`
	} `json:"member"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
	Subscribed    *bool  `json:"subscribed"`
	IsUpsert      *bool  `json:"is-upsert"`
	UpsertedCount *int64 `json:"upserted-count"`
	FailedCount   *int64 `json:"failed-count"`
}

type baseCampaign struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// EventShapes reads every event object of the documented examples in dir
// (testdata/examples/events): the items of the list pages and the single
// events. Together they cover every event name the official SDK decodes.
func EventShapes(dir string) ([]json.RawMessage, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var shapes []json.RawMessage
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Items []json.RawMessage `json:"items"`
			Event string            `json:"event"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if doc.Event != "" {
			shapes = append(shapes, json.RawMessage(data))
		}
		shapes = append(shapes, doc.Items...)
	}
	if len(shapes) == 0 {
		return nil, fmt.Errorf("no events in %s", dir)
	}
	return shapes, nil
}

// EventsPage builds a page of n events by cycling through shapes, giving
// each a distinct id and timestamp, compacted as the API sends it
// (pretty=no), with an absolute next link on host.
func EventsPage(shapes []json.RawMessage, n int, host string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i := range n {
		var ev map[string]any
		d := json.NewDecoder(bytes.NewReader(shapes[i%len(shapes)]))
		d.UseNumber()
		if err := d.Decode(&ev); err != nil {
			return nil, err
		}
		ev["id"] = fmt.Sprintf("bench-%06d-%s", i, ev["id"])
		ev["timestamp"] = json.Number(strconv.FormatFloat(1529692198.641821+float64(i)*0.25, 'f', 6, 64))
		enc, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(enc)
	}
	b.WriteString(`],"paging":{"next":"http://` + host + `/v3/` + Domain + `/events/W3siYiI6ICIyMDE4LTA2LTIyVDIzOjU5OjE4LjAwMDAwMCswMDowMCIsICJhIjogdHJ1ZX1d",`)
	b.WriteString(`"previous":"http://` + host + `/v3/` + Domain + `/events/W3siYiI6ICIyMDE4LTA2LTIyVDE4OjI5OjU4LjY0MTgyMSswMDowMCIsICJhIjogZmFsc2V9XQ=="}}`)
	return b.Bytes(), nil
}
