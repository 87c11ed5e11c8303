package mailguntest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mgkit/mailgun"
)

// filterExpr is a parsed expression of the Events API's filter language.
// It matches a field's values: a term matches when any value contains it
// (ignoring case), or equals it for exact fields; NOT negates over all the
// values, so "NOT internal" matches events without such a tag.
type filterExpr interface {
	match(f *fieldValues) bool
}

// fieldValues are the values of one event field a filter tests.
type fieldValues struct {
	values []string
	exact  bool // event and severity compare whole values
}

type termExpr string

func (t termExpr) match(f *fieldValues) bool {
	for _, v := range f.values {
		if f.exact && strings.EqualFold(v, string(t)) ||
			!f.exact && strings.Contains(strings.ToLower(v), strings.ToLower(string(t))) {
			return true
		}
	}
	return false
}

type compareExpr struct {
	greater bool
	n       int64
}

func (c compareExpr) match(f *fieldValues) bool {
	for _, v := range f.values {
		x, err := strconv.ParseInt(v, 10, 64)
		if err == nil && (c.greater && x > c.n || !c.greater && x < c.n) {
			return true
		}
	}
	return false
}

type notExpr struct{ x filterExpr }

func (n notExpr) match(f *fieldValues) bool { return !n.x.match(f) }

type andExpr []filterExpr

func (a andExpr) match(f *fieldValues) bool {
	for _, x := range a {
		if !x.match(f) {
			return false
		}
	}
	return true
}

type orExpr []filterExpr

func (o orExpr) match(f *fieldValues) bool {
	for _, x := range o {
		if x.match(f) {
			return true
		}
	}
	return false
}

// filterFields are the filter parameters of the Events API and the event
// values each one tests.
var filterFields = map[string]func(e *mailgun.Event) fieldValues{
	"event": func(e *mailgun.Event) fieldValues { return fieldValues{values: []string{string(e.Event)}, exact: true} },
	"severity": func(e *mailgun.Event) fieldValues {
		return fieldValues{values: []string{string(e.Severity)}, exact: true}
	},
	"recipient": func(e *mailgun.Event) fieldValues { return fieldValues{values: []string{e.Recipient}} },
	"tags":      func(e *mailgun.Event) fieldValues { return fieldValues{values: e.Tags} },
	"recipients": func(e *mailgun.Event) fieldValues {
		if e.Message == nil {
			return fieldValues{}
		}
		return fieldValues{values: e.Message.Recipients}
	},
	"from":       headerField(func(h *mailgun.MessageHeaders) string { return h.From }),
	"to":         headerField(func(h *mailgun.MessageHeaders) string { return h.To }),
	"subject":    headerField(func(h *mailgun.MessageHeaders) string { return h.Subject }),
	"message-id": headerField(func(h *mailgun.MessageHeaders) string { return h.MessageID }),
	"attachment": func(e *mailgun.Event) fieldValues {
		var names []string
		if e.Message != nil {
			for _, a := range e.Message.Attachments {
				names = append(names, a.Filename)
			}
		}
		return fieldValues{values: names}
	},
	"list": func(e *mailgun.Event) fieldValues {
		if e.MailingList == nil {
			return fieldValues{}
		}
		return fieldValues{values: []string{e.MailingList.Address}}
	},
	"size": func(e *mailgun.Event) fieldValues {
		if e.Message == nil {
			return fieldValues{}
		}
		return fieldValues{values: []string{strconv.FormatInt(e.Message.Size, 10)}}
	},
}

func headerField(get func(*mailgun.MessageHeaders) string) func(e *mailgun.Event) fieldValues {
	return func(e *mailgun.Event) fieldValues {
		if e.Message == nil {
			return fieldValues{}
		}
		return fieldValues{values: []string{get(&e.Message.Headers)}}
	}
}

// parseFilter parses an expression: terms, "quoted phrases", AND (also
// implied between neighbours), OR, NOT, parentheses, and the numeric
// comparisons >N and <N.
func parseFilter(s string) (filterExpr, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return x, nil
}

type filterToken struct {
	text   string
	quoted bool
}

func lexFilter(s string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, filterToken{text: string(c)})
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, errors.New("unterminated quoted phrase")
			}
			toks = append(toks, filterToken{text: s[i+1 : i+1+end], quoted: true})
			i += end + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()\"", rune(s[j])) {
				j++
			}
			toks = append(toks, filterToken{text: s[i:j]})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("empty expression")
	}
	return toks, nil
}

type filterParser struct {
	toks []filterToken
	pos  int
}

func (p *filterParser) peek(word string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && p.toks[p.pos].text == word
}

func (p *filterParser) or() (filterExpr, error) {
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	alts := orExpr{x}
	for p.peek("OR") {
		p.pos++
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		alts = append(alts, y)
	}
	if len(alts) == 1 {
		return x, nil
	}
	return alts, nil
}

func (p *filterParser) and() (filterExpr, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	all := andExpr{x}
	for p.pos < len(p.toks) && !p.peek("OR") && !p.peek(")") {
		if p.peek("AND") {
			p.pos++
		}
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		all = append(all, y)
	}
	if len(all) == 1 {
		return x, nil
	}
	return all, nil
}

func (p *filterParser) unary() (filterExpr, error) {
	if p.peek("NOT") {
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	}
	return p.primary()
}

func (p *filterParser) primary() (filterExpr, error) {
	if p.pos >= len(p.toks) {
		return nil, errors.New("expression ends too early")
	}
	t := p.toks[p.pos]
	p.pos++
	if t.quoted {
		return termExpr(t.text), nil
	}
	switch {
	case t.text == "(":
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, errors.New("missing )")
		}
		p.pos++
		return x, nil
	case t.text == ")" || t.text == "AND" || t.text == "OR":
		return nil, fmt.Errorf("unexpected %q", t.text)
	case t.text[0] == '>' || t.text[0] == '<':
		n, err := strconv.ParseInt(t.text[1:], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a comparison with a whole number", t.text)
		}
		return compareExpr{greater: t.text[0] == '>', n: n}, nil
	}
	return termExpr(t.text), nil
}
