package mailguntest

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/timefmt"
)

// Limits of the sending API.
const (
	maxMessageSize    = 25 << 20 // the whole message
	maxOptionsSize    = 16 << 10 // every o:, h: and v: value together
	maxRecipients     = 1000     // to, cc and bcc together
	maxTagsPerMessage = 3
	maxScheduleAhead  = 7 * 24 * time.Hour // the longest plan's limit
)

// apiError is an error answer: a status and the {"message": ...} text.
type apiError struct {
	status  int
	message string
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// sendForm is a send's body: its text fields and its file parts by field name.
type sendForm struct {
	values url.Values
	files  map[string][]Attachment
}

// readSendForm reads a urlencoded or multipart body (only multipart when
// multipartOnly) of at most maxMessageSize bytes, streaming the parts.
func readSendForm(w http.ResponseWriter, r *http.Request, multipartOnly bool) (*sendForm, *apiError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMessageSize)
	tooBig := func(err error) *apiError {
		if _, ok := err.(*http.MaxBytesError); ok {
			return &apiError{http.StatusRequestEntityTooLarge, "Message size exceeds the 25MB limit"}
		}
		return badRequest("Invalid request body: %v", err)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	f := &sendForm{values: url.Values{}, files: map[string][]Attachment{}}
	switch {
	case mt == "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, badRequest("Invalid multipart body: %v", err)
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, tooBig(err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, tooBig(err)
			}
			name := p.FormName()
			switch {
			case p.FileName() != "" || name == "attachment" || name == "inline" || name == "message":
				f.files[name] = append(f.files[name], Attachment{
					Filename: p.FileName(), ContentType: partType(p.Header.Get("Content-Type"), p.FileName()), Data: data,
				})
			case name != "":
				f.values.Add(name, string(data))
			}
		}
	case mt == "application/x-www-form-urlencoded" && !multipartOnly:
		if err := r.ParseForm(); err != nil {
			return nil, tooBig(err)
		}
		f.values = r.PostForm
	case multipartOnly:
		return nil, badRequest("Content-Type must be multipart/form-data")
	default:
		return nil, badRequest("Content-Type must be multipart/form-data or application/x-www-form-urlencoded")
	}
	return f, nil
}

// partType is the content type of a file part: its own, unless that says
// nothing more than application/octet-stream, then one guessed from the
// file name.
func partType(header, filename string) string {
	mt, _, err := mime.ParseMediaType(header)
	if err == nil && mt != "application/octet-stream" {
		return header
	}
	if t := mime.TypeByExtension(filepath.Ext(filename)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// yesNo and friends check the values of o: options.
var (
	yesNo         = []string{"yes", "no", "true", "false"}
	yesNoHTMLOnly = []string{"yes", "no", "true", "false", "htmlonly"}
	deliverWithin = regexp.MustCompile(`^([0-9]+h)?([0-9]+m)?$`)
	optimizeHours = regexp.MustCompile(`^([0-9]+)h$`)
	timeOfDay     = regexp.MustCompile(`^(([01]?[0-9]|2[0-3]):[0-5][0-9]|(0?[1-9]|1[0-2]):[0-5][0-9]\s?[aApP][mM])$`)
)

// optionChecks validate the o: options with a fixed syntax; they return a
// description of the valid values, or "" when v is valid.
var optionChecks = map[string]func(v string) string{
	"tracking":                     enumCheck(yesNoHTMLOnly),
	"tracking-clicks":              enumCheck(yesNoHTMLOnly),
	"tracking-pixel-location-top":  enumCheck(yesNoHTMLOnly),
	"tracking-opens":               enumCheck(yesNo),
	"require-tls":                  enumCheck(yesNo),
	"skip-verification":            enumCheck(yesNo),
	"dkim":                         enumCheck(yesNo),
	"testmode":                     enumCheck(yesNo),
	"deliver-within":               deliverWithinCheck,
	"deliverytime-optimize-period": optimizePeriodCheck,
	"time-zone-localize": func(v string) string {
		if timeOfDay.MatchString(v) {
			return ""
		}
		return "a time of day as HH:mm or hh:mmaa"
	},
}

func enumCheck(valid []string) func(string) string {
	return func(v string) string {
		if slices.Contains(valid, strings.ToLower(v)) {
			return ""
		}
		return "one of " + strings.Join(valid, ", ")
	}
}

func deliverWithinCheck(v string) string {
	m := deliverWithin.FindStringSubmatch(v)
	if v == "" || m == nil {
		return "a duration such as 1h30m"
	}
	h, _ := strconv.Atoi(strings.TrimSuffix(m[1], "h"))
	min, _ := strconv.Atoi(strings.TrimSuffix(m[2], "m"))
	if total := h*60 + min; total < 5 || total > 24*60 {
		return "from 5m to 24h"
	}
	return ""
}

func optimizePeriodCheck(v string) string {
	m := optimizeHours.FindStringSubmatch(v)
	if m == nil {
		return "a number of hours from 24h to 72h"
	}
	if h, _ := strconv.Atoi(m[1]); h < 24 || h > 72 {
		return "a number of hours from 24h to 72h"
	}
	return ""
}

// addressField splits the values of to, cc or bcc into entries (one per
// address, each as written when it stood alone) and bare addresses.
func addressField(name string, values []string) (entries, addrs []string, err *apiError) {
	for _, v := range values {
		list, perr := mail.ParseAddressList(v)
		if perr != nil || len(list) == 0 {
			return nil, nil, badRequest("%s parameter is not a valid address. please check documentation", name)
		}
		for _, a := range list {
			if !validHostname(recipientDomain(a.Address)) {
				return nil, nil, badRequest("%s parameter is not a valid address. please check documentation", name)
			}
			addrs = append(addrs, a.Address)
			if len(list) == 1 {
				entries = append(entries, strings.TrimSpace(v))
			} else {
				entries = append(entries, formatAddress(a))
			}
		}
	}
	return entries, addrs, nil
}

// formatAddress writes a as "Name <address>", quoting the name only when it needs it.
func formatAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	if strings.ContainsAny(a.Name, `"(),.:;<>@[\]`) || strings.IndexFunc(a.Name, func(r rune) bool { return r > 126 }) >= 0 {
		return a.String()
	}
	return a.Name + " <" + a.Address + ">"
}

// parsedSend is a validated send: the message and its envelope.
type parsedSend struct {
	msg        Message
	recipients []string
	sender     string
	scheduled  string
	// userVars are the user variables with the JSON types of the
	// X-Mailgun-Variables header (v: fields are strings), for the stored
	// header and the template.
	userVars map[string]any
}

// parseSendFields validates the fields that messages and messages.mime
// share (to, o:, h:, v:, t:, recipient-variables) and fills p. now is the
// server's time, for o:deliverytime.
func parseSendFields(f *sendForm, now time.Time, p *parsedSend) *apiError {
	v := f.values
	p.msg.Form = v
	if len(v["to"]) == 0 {
		return badRequest("to parameter is missing")
	}
	count := 0
	for _, field := range []struct {
		name    string
		entries *[]string
	}{{"to", &p.msg.To}, {"cc", &p.msg.Cc}, {"bcc", &p.msg.Bcc}} {
		entries, addrs, err := addressField(field.name, v[field.name])
		if err != nil {
			return err
		}
		*field.entries = entries
		count += len(addrs)
		for _, a := range addrs {
			if !slices.ContainsFunc(p.recipients, func(b string) bool { return strings.EqualFold(a, b) }) {
				p.recipients = append(p.recipients, a)
			}
		}
	}
	if count > maxRecipients {
		return badRequest("Too many recipients, max is %d", maxRecipients)
	}

	optionBytes := 0
	p.msg.Options = map[string]string{}
	p.msg.Headers = http.Header{}
	p.msg.UserVariables = map[string]string{}
	for key, vals := range v {
		prefix, name, ok := strings.Cut(key, ":")
		if !ok || name == "" || (prefix != "o" && prefix != "h" && prefix != "v") {
			continue
		}
		for _, val := range vals {
			optionBytes += len(val)
		}
		switch prefix {
		case "o":
			if name == "tag" {
				continue
			}
			val := vals[0]
			if check := optionChecks[name]; check != nil {
				if want := check(val); want != "" {
					return badRequest("o:%s parameter is not valid: %q (expected %s)", name, val, want)
				}
			}
			p.msg.Options[name] = val
		case "h":
			for _, val := range vals {
				p.msg.Headers.Add(name, val)
			}
		case "v":
			p.msg.UserVariables[name] = vals[0]
		}
	}
	if optionBytes > maxOptionsSize {
		return badRequest("Send options (parameters starting with o:, h:, or v:) are limited to 16KB total")
	}
	p.msg.Tags = v["o:tag"]
	if len(p.msg.Tags) > maxTagsPerMessage {
		return badRequest("Too many tags: a message may have at most %d", maxTagsPerMessage)
	}
	p.userVars = map[string]any{}
	if hv := p.msg.Headers.Get("X-Mailgun-Variables"); hv != "" {
		if json.Unmarshal([]byte(hv), &p.userVars) != nil || p.userVars == nil {
			return badRequest("h:X-Mailgun-Variables parameter is not a valid JSON object")
		}
	}
	for k, val := range p.msg.UserVariables {
		p.userVars[k] = val // a v: field wins over the header
	}
	for k, val := range p.userVars {
		p.msg.UserVariables[k] = jsonText(val)
	}
	if t, ok := p.msg.Options["testmode"]; ok {
		p.msg.TestMode, _ = parseFormBool(t)
	}
	if dt, ok := p.msg.Options["deliverytime"]; ok {
		at, err := timefmt.ParseRFC2822(dt)
		if err != nil {
			return badRequest("o:deliverytime parameter is not a valid RFC 2822 date: %q", dt)
		}
		if at.After(now.Add(maxScheduleAhead)) {
			return badRequest("o:deliverytime can not be more than 7 days in the future")
		}
		p.msg.ScheduledFor, p.scheduled = at.UTC(), dt
	}

	if rv := v.Get("recipient-variables"); rv != "" {
		if json.Unmarshal([]byte(rv), &p.msg.RecipientVariables) != nil {
			return badRequest("recipient-variables parameter is not a valid JSON object of objects")
		}
		if p.msg.RecipientVariables == nil {
			p.msg.RecipientVariables = map[string]map[string]any{}
		}
	}
	p.msg.Template = v.Get("template")
	p.msg.TemplateVersion = v.Get("t:version")
	if tt := v.Get("t:text"); tt != "" {
		if tt != "yes" {
			return badRequest("t:text parameter is not valid: %q (expected yes)", tt)
		}
		p.msg.TemplateText = true
	}
	// A template's variables come from t:variables, else from the
	// X-Mailgun-Template-Variables header, else from the user variables
	// (sending.md 1.3; Mailgun's handlebars page names the first two).
	var headerVars map[string]any
	if hv := p.msg.Headers.Get(templateVariablesHeader); hv != "" {
		if json.Unmarshal([]byte(hv), &headerVars) != nil || headerVars == nil {
			return badRequest("h:%s parameter is not a valid JSON object", templateVariablesHeader)
		}
	}
	switch tv := v.Get("t:variables"); {
	case tv != "":
		if json.Unmarshal([]byte(tv), &p.msg.TemplateVariables) != nil || p.msg.TemplateVariables == nil {
			return badRequest("t:variables parameter is not a valid JSON object")
		}
	case headerVars != nil:
		p.msg.TemplateVariables = headerVars
	case p.msg.Template != "" && len(p.userVars) > 0:
		p.msg.TemplateVariables = cloneJSONMap(p.userVars)
	}
	return nil
}

// templateVariablesHeader is the header that may carry a template's variables.
const templateVariablesHeader = "X-Mailgun-Template-Variables"

// jsonText writes a decoded JSON value as text: strings as they are,
// anything else as JSON.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// parseMessageSend validates a POST /v3/{domain}/messages body.
func parseMessageSend(f *sendForm, now time.Time) (*parsedSend, *apiError) {
	v := f.values
	p := &parsedSend{}
	if err := parseSendFields(f, now, p); err != nil {
		return nil, err
	}
	m := &p.msg
	m.From, m.Subject, m.Text, m.HTML, m.AMPHTML = v.Get("from"), v.Get("subject"), v.Get("text"), v.Get("html"), v.Get("amp-html")
	switch {
	case m.Template != "" && m.HTML != "":
		return nil, badRequest("Only one parameters 'html' or 'template' is allowed.")
	case m.Template == "" && m.From == "":
		return nil, badRequest("from parameter is missing")
	case m.Template == "" && !v.Has("subject"):
		return nil, badRequest("subject parameter is missing")
	case m.Template == "" && m.Text == "" && m.HTML == "" && m.AMPHTML == "":
		return nil, badRequest("Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified")
	}
	if m.From != "" {
		from, err := mail.ParseAddress(m.From)
		if err != nil {
			return nil, badRequest("from parameter is not a valid address. please check documentation")
		}
		p.sender = from.Address
	}
	m.Attachments, m.Inline = f.files["attachment"], f.files["inline"]
	if len(f.files["message"]) > 0 {
		return nil, badRequest("message parameter is for messages.mime; send files as attachment or inline")
	}
	return p, nil
}

// newMessageID returns a Message-Id in Mailgun's style, without brackets:
// the time, a sequence number and random hex, at the sending domain.
func newMessageID(now time.Time, seq int64, domain string) string {
	return fmt.Sprintf("%s.%d.%016X@%s", now.UTC().Format("20060102150405"), seq, rand.Uint64(), domain)
}
