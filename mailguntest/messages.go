package mailguntest

import (
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// The sending endpoints: messages, messages.mime, and stored messages
// (get, resend, attachments). Validation is in messages_parse.go, what
// happens after acceptance in lifecycle.go.

// storageRetention is how long stored messages can be fetched (Mailgun
// keeps them about 3 days).
const storageRetention = 72 * time.Hour

// queuedMessage is the answer to an accepted send.
const queuedMessage = "Queued. Thank you."

func (s *Server) messageRoutes(mux, domains *http.ServeMux) {
	s.startLifecycle()
	mux.HandleFunc("POST /v3/{domain}/messages", s.sendMessage)
	mux.HandleFunc("POST /v3/{domain}/messages.mime", s.sendMIME)
	domains.HandleFunc("GET /v3/domains/{domain}/messages/{key}", s.getStoredMessage)
	domains.HandleFunc("POST /v3/domains/{domain}/messages/{key}", s.resendMessage)
	domains.HandleFunc("GET /v3/domains/{domain}/messages/{key}/attachments/{n}", s.getStoredAttachment)
}

func writeAPIError(w http.ResponseWriter, e *apiError) { writeError(w, e.status, e.message) }

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !sendingDomain(w, domain) {
		return
	}
	f, aerr := readSendForm(w, r, false)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	p, aerr := parseMessageSend(f, s.now())
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	s.accept(w, r, domain, p, nil)
}

func (s *Server) sendMIME(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !sendingDomain(w, domain) {
		return
	}
	f, aerr := readSendForm(w, r, true)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	p := &parsedSend{}
	if aerr := parseSendFields(f, s.now(), p); aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	files := f.files["message"]
	if len(files) == 0 {
		writeError(w, http.StatusBadRequest, "message parameter is missing")
		return
	}
	headers, body, content, err := parseMIME(files[0].Data)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st := &storedMessage{headers: headers, body: body, text: content.text, html: content.html}
	m := &p.msg
	m.MIMESend = true
	m.From, m.Subject = st.header("From"), decodeHeader(st.header("Subject"))
	m.Text, m.HTML, m.Attachments, m.Inline = content.text, content.html, content.attachments, content.inline
	m.ID = strings.Trim(st.header("Message-Id"), "<> ")
	if from, err := mail.ParseAddress(m.From); err == nil {
		p.sender = from.Address
	}
	s.accept(w, r, domain, p, st)
}

// accept stores a validated send (with its uploaded MIME in st, or nil to
// build it), starts its lifecycle and answers with its id.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, domain string, p *parsedSend, st *storedMessage) {
	remote, _, _ := net.SplitHostPort(r.RemoteAddr)
	s.mu.Lock()
	now := s.now()
	s.messages.store.seq++
	m := &p.msg
	m.Domain, m.AcceptedAt = domain, now
	if id := strings.Trim(m.Headers.Get("Message-Id"), "<> "); id != "" {
		m.ID = id // Mailgun keeps a Message-Id the sender chose
	}
	if m.ID == "" {
		m.ID = newMessageID(now, s.messages.store.seq, domain)
	}
	m.StorageKey = randomID(18)
	rendered, ownSubject := st == nil && m.Template != "", m.Subject
	if st == nil {
		st = &storedMessage{}
		st.text, st.html = m.Text, m.HTML
		if m.Template != "" {
			// Mailgun renders when it delivers, so a template that does
			// not render does not refuse the send.
			if t, h, err := s.renderTemplateLocked(domain, m); err != nil {
				m.TemplateError = err.Error()
			} else {
				st.html = h
				if m.TemplateText { // else the send's own text part stays
					st.text = t
				}
			}
		}
		st.headers, st.body = buildMIME(m, p.userVars, st.text, st.html, now)
	} else {
		setHeader(&st.headers, "Message-Id", "<"+m.ID+">")
	}
	st.msg = *m
	st.sender, st.remoteIP, st.scheduled = p.sender, remote, p.scheduled
	if st.sender == "" {
		st.sender = "postmaster@" + domain
	}
	st.headerTo = st.header("To")
	if st.headerTo == "" {
		st.headerTo = strings.Join(m.To, ", ")
	}
	for _, a := range p.recipients {
		rs := &recipientState{address: a, state: DeliveryQueued}
		rs.subject, rs.text, rs.html = s.recipientCopyLocked(st, a, rendered, ownSubject)
		st.recipients = append(st.recipients, rs)
	}
	s.acceptLocked(st)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": "<" + m.ID + ">", "message": queuedMessage})
}

// setHeader replaces the first header name, or appends it.
func setHeader(h *[][2]string, name, value string) {
	for i := range *h {
		if strings.EqualFold((*h)[i][0], name) {
			(*h)[i][1] = value
			return
		}
	}
	*h = append(*h, [2]string{name, value})
}

// storedLocked finds the stored message key of domain, unless it is past
// retention.
func (s *Server) storedLocked(domain, key string) (*storedMessage, bool) {
	m, ok := s.messages.store.byKey[key]
	if !ok || !strings.EqualFold(m.msg.Domain, domain) || s.now().Sub(m.msg.AcceptedAt) > storageRetention {
		return nil, false
	}
	return m, true
}

const messageNotFound = "Message not found"

// getStoredMessage answers the stored message as JSON: its headers as keys
// and as message-headers, the bodies and attachment links; with Accept:
// message/rfc2822, the raw MIME as body-mime instead of the parsed parts.
func (s *Server) getStoredMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m, ok := s.storedLocked(r.PathValue("domain"), r.PathValue("key"))
	var out map[string]any
	if ok {
		out = s.storedJSON(m, strings.Contains(r.Header.Get("Accept"), "message/rfc2822"))
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, messageNotFound)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) storedJSON(m *storedMessage, raw bool) map[string]any {
	out := map[string]any{}
	pairs := make([][]string, 0, len(m.headers))
	for _, h := range m.headers {
		if _, seen := out[h[0]]; !seen {
			out[h[0]] = h[1]
		}
		pairs = append(pairs, []string{h[0], h[1]})
	}
	addrs := make([]string, len(m.recipients))
	for i, r := range m.recipients {
		addrs[i] = r.address
	}
	out["sender"] = m.sender
	out["recipients"] = strings.Join(addrs, ", ")
	out["message-headers"] = pairs
	if raw {
		out["body-mime"] = string(m.mime())
		return out
	}
	out["body-plain"], out["body-html"] = m.text, m.html
	out["stripped-text"], out["stripped-html"], out["stripped-signature"] = m.text, m.html, ""
	link := func(i int, a Attachment) map[string]any {
		return map[string]any{"url": s.storageURL(m) + "/attachments/" + strconv.Itoa(i), "content-type": a.ContentType, "name": a.Filename, "size": len(a.Data)}
	}
	attachments := []map[string]any{}
	for i, a := range m.msg.Attachments {
		attachments = append(attachments, link(i, a))
	}
	cids := map[string]any{}
	for i, a := range m.msg.Inline {
		cids["<"+a.Filename+">"] = link(len(m.msg.Attachments)+i, a)
	}
	out["attachments"], out["content-id-map"] = attachments, cids
	return out
}

// getStoredAttachment answers one file of a stored message: its
// attachments, then its inline files, numbered from 0.
func (s *Server) getStoredAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m, ok := s.storedLocked(r.PathValue("domain"), r.PathValue("key"))
	var a Attachment
	if ok {
		files := append(m.msg.Attachments[:len(m.msg.Attachments):len(m.msg.Attachments)], m.msg.Inline...)
		n, err := strconv.Atoi(r.PathValue("n"))
		ok = err == nil && n >= 0 && n < len(files)
		if ok {
			a = files[n]
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Attachment not found")
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}

// resendMessage sends a stored message again to the recipients in "to",
// as a new message (new id and storage key) with the same content.
func (s *Server) resendMessage(w http.ResponseWriter, r *http.Request) {
	domain, key := r.PathValue("domain"), r.PathValue("key")
	f, aerr := readSendForm(w, r, false)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	if len(f.values["to"]) == 0 {
		writeError(w, http.StatusBadRequest, "to parameter is missing")
		return
	}
	entries, addrs, aerr := addressField("to", f.values["to"])
	if aerr == nil && len(addrs) > maxRecipients {
		aerr = badRequest("Too many recipients, max is %d", maxRecipients)
	}
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	s.mu.Lock()
	orig, ok := s.storedLocked(domain, key)
	var p *parsedSend
	var st *storedMessage
	if ok {
		snap := orig.snapshot()
		snap.ID, snap.ScheduledFor, snap.Recipients, snap.MIME = "", time.Time{}, nil, nil
		snap.Form.Del("to")
		for _, e := range entries {
			snap.Form.Add("to", e)
		}
		snap.To, snap.Cc, snap.Bcc = entries, nil, nil
		delete(snap.Options, "deliverytime")
		snap.Headers.Del("Message-Id")
		p = &parsedSend{msg: snap, recipients: addrs, sender: orig.sender}
		st = &storedMessage{headers: append([][2]string(nil), orig.headers...), body: orig.body, text: orig.text, html: orig.html}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, messageNotFound)
		return
	}
	s.accept(w, r, domain, p, st)
}
