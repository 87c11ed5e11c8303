package mailguntest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// A stored message is kept as MIME, as Mailgun keeps it: built from the
// fields of a form send, as uploaded for a MIME send.

// mimeNode is a part of a message being built: a leaf with data, or a
// multipart with children.
type mimeNode struct {
	contentType string      // without the boundary of a multipart
	extra       [][2]string // more part headers: Content-Disposition, Content-ID
	data        []byte
	base64      bool // leaf encoding: base64, else quoted-printable
	children    []mimeNode
}

// render returns the node's Content-Type, Content-Transfer-Encoding and body.
func (n mimeNode) render() (ctype, cte string, body []byte) {
	var buf bytes.Buffer
	if n.children == nil {
		if n.base64 {
			enc := base64.StdEncoding.EncodeToString(n.data)
			for len(enc) > 76 {
				buf.WriteString(enc[:76] + "\r\n")
				enc = enc[76:]
			}
			buf.WriteString(enc)
			return n.contentType, "base64", buf.Bytes()
		}
		w := quotedprintable.NewWriter(&buf)
		_, _ = w.Write(n.data)
		_ = w.Close()
		return n.contentType, "quoted-printable", buf.Bytes()
	}
	mw := multipart.NewWriter(&buf)
	for _, c := range n.children {
		ct, enc, b := c.render()
		h := textproto.MIMEHeader{"Content-Type": {ct}, "Content-Transfer-Encoding": {enc}}
		for _, kv := range c.extra {
			h.Set(kv[0], kv[1])
		}
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(b)
	}
	_ = mw.Close()
	return mime.FormatMediaType(n.contentType, map[string]string{"boundary": mw.Boundary()}), "", buf.Bytes()
}

// buildMIME renders the fields of m as an RFC 2822 message, header lines
// in order and body. userVars are the user variables with their JSON types
// (X-Mailgun-Variables); text and html are the body (a template's
// rendering, or m's own).
func buildMIME(m *Message, userVars map[string]any, text, html string, date time.Time) ([][2]string, []byte) {
	var h [][2]string
	add := func(k, v string) {
		if v != "" {
			h = append(h, [2]string{k, v})
		}
	}
	add("From", m.From)
	add("To", strings.Join(m.To, ", "))
	add("Cc", strings.Join(m.Cc, ", "))
	add("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	add("Date", date.UTC().Format(time.RFC1123Z))
	add("Message-Id", "<"+m.ID+">")
	add("Mime-Version", "1.0")
	for _, t := range m.Tags {
		add("X-Mailgun-Tag", t)
	}
	if len(userVars) > 0 {
		b, _ := json.Marshal(userVars)
		add("X-Mailgun-Variables", string(b))
	}
	if m.Template != "" {
		add("X-Mailgun-Template-Name", m.Template)
		if m.TemplateVariables != nil {
			b, _ := json.Marshal(m.TemplateVariables)
			add("X-Mailgun-Template-Variables", string(b))
		}
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m.Headers {
			if !yield(k) {
				return
			}
		}
	}) {
		if k == "Message-Id" || k == "X-Mailgun-Variables" || (k == templateVariablesHeader && m.Template != "") {
			continue // written above
		}
		for _, v := range m.Headers[k] {
			add(k, v)
		}
	}

	var alt []mimeNode
	if text != "" || (html == "" && m.AMPHTML == "") {
		alt = append(alt, mimeNode{contentType: "text/plain; charset=utf-8", data: []byte(text)})
	}
	if m.AMPHTML != "" {
		alt = append(alt, mimeNode{contentType: "text/x-amp-html; charset=utf-8", data: []byte(m.AMPHTML)})
	}
	if html != "" {
		alt = append(alt, mimeNode{contentType: "text/html; charset=utf-8", data: []byte(html)})
	}
	root := alt[0]
	if len(alt) > 1 {
		root = mimeNode{contentType: "multipart/alternative", children: alt}
	}
	root = withFiles(root, "multipart/related", "inline", m.Inline)
	root = withFiles(root, "multipart/mixed", "attachment", m.Attachments)
	ctype, cte, body := root.render()
	add("Content-Type", ctype)
	add("Content-Transfer-Encoding", cte)
	return h, body
}

// withFiles wraps body and files in a multipart of type ctype; without
// files it returns body.
func withFiles(body mimeNode, ctype, disposition string, files []Attachment) mimeNode {
	if len(files) == 0 {
		return body
	}
	children := []mimeNode{body}
	for _, a := range files {
		children = append(children, fileNode(a, disposition))
	}
	return mimeNode{contentType: ctype, children: children}
}

// fileNode is an attachment or inline part; inline parts get a Content-ID
// of their file name, which the HTML references as cid:<name>.
func fileNode(a Attachment, disposition string) mimeNode {
	n := mimeNode{contentType: a.ContentType, data: a.Data, base64: true}
	n.extra = append(n.extra, [2]string{"Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename})})
	if disposition == "inline" {
		n.extra = append(n.extra, [2]string{"Content-Id", "<" + a.Filename + ">"})
	}
	return n
}

// mimeContent is what a MIME message holds for the store: the first
// text/plain and text/html parts, and the file parts.
type mimeContent struct {
	text, html          string
	attachments, inline []Attachment
}

// errBadMIME is the answer to an upload that is not an RFC 2822 message.
var errBadMIME = errors.New("message is not a valid MIME message")

// maxMIMEDepth bounds the nesting of multiparts read.
const maxMIMEDepth = 10

// parseMIME splits an uploaded message into its header lines (in order,
// unfolded) and body, and reads its content.
func parseMIME(raw []byte) ([][2]string, []byte, mimeContent, error) {
	end, sep := bytes.Index(raw, []byte("\r\n\r\n")), 4
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
		end, sep = i, 2
	}
	head, body := raw, []byte(nil)
	if end >= 0 {
		head, body = raw[:end], raw[end+sep:]
	}
	var headers [][2]string
	for _, line := range strings.Split(string(head), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(headers) > 0 {
			headers[len(headers)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, nil, mimeContent{}, errBadMIME
		}
		headers = append(headers, [2]string{textproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(v)})
	}
	if len(headers) == 0 {
		return nil, nil, mimeContent{}, errBadMIME
	}
	get := func(name string) string {
		for _, h := range headers {
			if h[0] == name {
				return h[1]
			}
		}
		return ""
	}
	var c mimeContent
	part := textproto.MIMEHeader{}
	for _, k := range []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-Id"} {
		if v := get(k); v != "" {
			part.Set(k, v)
		}
	}
	if err := c.read(part, body, 0); err != nil {
		return nil, nil, mimeContent{}, err
	}
	return headers, body, c, nil
}

// read walks one part: multiparts recursively, leaves decoded.
func (c *mimeContent) read(h textproto.MIMEHeader, body []byte, depth int) error {
	ctype := h.Get("Content-Type")
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt, params = "application/octet-stream", nil
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxMIMEDepth || params["boundary"] == "" {
			return errBadMIME
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return errBadMIME
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return errBadMIME
			}
			if err := c.read(p.Header, b, depth+1); err != nil {
				return err
			}
		}
	}
	data := body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(body))
		if data, err = base64.StdEncoding.DecodeString(clean); err != nil {
			return errBadMIME
		}
	case "quoted-printable":
		if data, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err != nil {
			return errBadMIME
		}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	switch {
	case disp == "inline" && h.Get("Content-Id") != "":
		if name == "" {
			name = strings.Trim(h.Get("Content-Id"), "<>")
		}
		c.inline = append(c.inline, Attachment{Filename: name, ContentType: mt, Data: data})
	case disp == "attachment" || name != "":
		c.attachments = append(c.attachments, Attachment{Filename: name, ContentType: mt, Data: data})
	case mt == "text/plain" && c.text == "":
		c.text = string(data)
	case mt == "text/html" && c.html == "":
		c.html = string(data)
	}
	return nil
}

// decodeHeader decodes RFC 2047 words in a header value.
func decodeHeader(v string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}
