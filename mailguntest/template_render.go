package mailguntest

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mgkit/mailgun"
)

// RenderedTemplate is a template version rendered with a message's variables.
type RenderedTemplate struct {
	// Template and Version name what was rendered (the lower-cased name,
	// and the tag of the version used).
	Template, Version string
	// HTML is the rendered content.
	HTML string
	// Text is a plain-text rendering of HTML: tags removed, a line per
	// <br> and block end, blank lines dropped, entities decoded.
	Text string
	// Headers are the version's From, Subject and Reply-To, each rendered
	// with the same variables (without HTML escaping).
	Headers mailgun.TemplateHeaders
}

// Errors of RenderTemplate, for errors.Is.
var (
	errTemplateNotFound = errors.New("template not found")
	errVersionNotFound  = errors.New("template version not found")
	errNoActiveVersion  = errors.New("template has no active version")
)

// RenderTemplate renders version of domain's template name (matched
// without regard to case) with vars, as a templated send would: the active
// version when version is "". It supports this subset of handlebars:
// {{path}} (HTML-escaped like handlebars; {{{path}}} and {{&path}} raw),
// dotted paths, this, ../ and @index/@key/@first/@last, {{#if}},
// {{#unless}}, {{#each}} over arrays and maps (keys in order), {{#with}},
// {{#equal a b}} (true when both are equal as strings), {{else}} and
// {{else if ...}}, comments, ~ whitespace control and the standalone-line
// rule. A missing variable renders as "". Other helpers
// and partials are errors, as are an unknown template or version.
func (s *Server) RenderTemplate(domain, name, version string, vars map[string]any) (RenderedTemplate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renderStoredTemplateLocked(domain, name, version, vars)
}

// renderStoredTemplateLocked is RenderTemplate for the message lifecycle, which
// holds s.mu. Its errors match errTemplateNotFound, errVersionNotFound or
// errNoActiveVersion with errors.Is, or describe a template the renderer
// cannot parse.
func (s *Server) renderStoredTemplateLocked(domain, name, version string, vars map[string]any) (RenderedTemplate, error) {
	t := s.templateLocked(domain, name)
	if t == nil {
		return RenderedTemplate{}, fmt.Errorf("mailguntest: %w: %q", errTemplateNotFound, name)
	}
	tag := version
	if tag == "" {
		if tag = t.active; tag == "" {
			return RenderedTemplate{}, fmt.Errorf("mailguntest: %q: %w", t.meta.Name, errNoActiveVersion)
		}
	}
	v, ok := t.versions.get(tag)
	if !ok {
		return RenderedTemplate{}, fmt.Errorf("mailguntest: %q: %w: %q", t.meta.Name, errVersionNotFound, tag)
	}
	out := RenderedTemplate{Template: t.meta.Name, Version: tag}
	var err error
	if out.HTML, err = renderHandlebars(v.Template, vars, true); err != nil {
		return RenderedTemplate{}, fmt.Errorf("mailguntest: template %q version %q: %w", t.meta.Name, tag, err)
	}
	out.Text = htmlToText(out.HTML)
	for _, h := range []struct{ dst, src *string }{
		{&out.Headers.From, &v.Headers.From},
		{&out.Headers.Subject, &v.Headers.Subject},
		{&out.Headers.ReplyTo, &v.Headers.ReplyTo},
	} {
		if *h.dst, err = renderHandlebars(*h.src, vars, false); err != nil {
			return RenderedTemplate{}, fmt.Errorf("mailguntest: template %q version %q headers: %w", t.meta.Name, tag, err)
		}
	}
	return out, nil
}

// renderHandlebars parses src and renders it with vars as the root
// context; escape selects HTML escaping of {{...}}.
func renderHandlebars(src string, vars map[string]any, escape bool) (string, error) {
	nodes, err := parseHandlebars(src)
	if err != nil {
		return "", err
	}
	var root any = vars
	if vars == nil {
		root = map[string]any{}
	}
	r := &hbRenderer{escape: escape, stack: []hbFrame{{value: root}}}
	r.nodes(nodes)
	return r.out.String(), nil
}

// Lexing.

type hbKind int

const (
	hbText    hbKind = iota
	hbVar            // {{x}}
	hbRaw            // {{{x}}} or {{&x}}
	hbOpen           // {{#helper x}}
	hbElse           // {{else}}, {{^}}, {{else if x}}
	hbClose          // {{/helper}}
	hbComment        // {{! ...}}
)

type hbToken struct {
	kind         hbKind
	text         string // text, or the tag's content without its sigil
	trimL, trimR bool   // ~ on either side
	line         int
}

// standalone reports whether a token of this kind disappears with its
// line when it stands alone on it.
func (k hbKind) standalone() bool {
	return k == hbOpen || k == hbElse || k == hbClose || k == hbComment
}

func lexHandlebars(src string) ([]hbToken, error) {
	var toks []hbToken
	var text strings.Builder
	line := 1
	flush := func() {
		if text.Len() > 0 {
			toks = append(toks, hbToken{kind: hbText, text: text.String(), line: line})
			line += strings.Count(text.String(), "\n")
			text.Reset()
		}
	}
	for i := 0; i < len(src); {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			text.WriteString(src[i:])
			break
		}
		j += i
		if j > 0 && src[j-1] == '\\' { // \{{ is a literal {{
			text.WriteString(src[i : j-1])
			text.WriteString("{{")
			i = j + 2
			continue
		}
		text.WriteString(src[i:j])
		flush()
		tok, end, err := lexTag(src, j)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		tok.line = line
		line += strings.Count(src[j:end], "\n")
		toks = append(toks, tok)
		i = end
	}
	flush()
	return toks, nil
}

// lexTag reads the tag that starts at src[at] ("{{") and returns it with
// the index just after it.
func lexTag(src string, at int) (hbToken, int, error) {
	pos := at + 2
	triple := strings.HasPrefix(src[pos:], "{")
	if triple {
		pos++
	}
	var tok hbToken
	if strings.HasPrefix(src[pos:], "~") {
		tok.trimL = true
		pos++
	}
	closer := "}}"
	if triple {
		closer = "}}}"
	}
	if !triple && strings.HasPrefix(src[pos:], "!--") {
		// {{!-- ... --}} may contain "}}"; it ends at "--}}" or "--~}}".
		loc := longCommentEnd.FindStringSubmatchIndex(src[pos+3:])
		if loc == nil {
			return tok, 0, errors.New("unclosed comment")
		}
		tok.kind, tok.trimR = hbComment, loc[3] > loc[2]
		return tok, pos + 3 + loc[1], nil
	}
	if !triple && strings.HasPrefix(src[pos:], "!") {
		end := strings.Index(src[pos:], "}}")
		if end < 0 {
			return tok, 0, errors.New("unclosed comment")
		}
		tok.kind, tok.trimR = hbComment, strings.HasSuffix(src[pos:pos+end], "~")
		return tok, pos + end + 2, nil
	}
	end := strings.Index(src[pos:], closer)
	if end < 0 {
		return tok, 0, fmt.Errorf("unclosed %q", src[at:min(len(src), at+20)])
	}
	content := src[pos : pos+end]
	if strings.HasSuffix(content, "~") {
		tok.trimR = true
		content = content[:len(content)-1]
	}
	content = strings.TrimSpace(content)
	next := pos + end + len(closer)
	switch {
	case triple:
		tok.kind, tok.text = hbRaw, content
	case strings.HasPrefix(content, "#"):
		tok.kind, tok.text = hbOpen, strings.TrimSpace(content[1:])
	case strings.HasPrefix(content, "/"):
		tok.kind, tok.text = hbClose, strings.TrimSpace(content[1:])
	case strings.HasPrefix(content, "&"):
		tok.kind, tok.text = hbRaw, strings.TrimSpace(content[1:])
	case content == "^" || content == "else":
		tok.kind = hbElse
	case strings.HasPrefix(content, "else "):
		tok.kind, tok.text = hbElse, strings.TrimSpace(content[len("else "):])
	case strings.HasPrefix(content, ">"):
		return tok, 0, fmt.Errorf("partials ({{%s}}) are not supported", content)
	case strings.HasPrefix(content, "^"):
		return tok, 0, fmt.Errorf("inverse sections ({{%s}}) are not supported: use {{#unless}}", content)
	default:
		tok.kind, tok.text = hbVar, content
	}
	if tok.text == "" && tok.kind != hbElse {
		return tok, 0, fmt.Errorf("empty tag %q", src[at:next])
	}
	return tok, next, nil
}

// trimWhitespace applies ~ markers, then the standalone rule: a block,
// else or comment tag alone on its line takes the line's indentation and
// line break with it.
func trimWhitespace(toks []hbToken) {
	textAt := func(i int) *hbToken {
		if i >= 0 && i < len(toks) && toks[i].kind == hbText {
			return &toks[i]
		}
		return nil
	}
	for i, t := range toks {
		if t.trimL {
			if p := textAt(i - 1); p != nil {
				p.text = strings.TrimRight(p.text, " \t\r\n")
			}
		}
		if t.trimR {
			if n := textAt(i + 1); n != nil {
				n.text = strings.TrimLeft(n.text, " \t\r\n")
			}
		}
	}
	// Decide on the original texts, then cut: one text can lose its start
	// to the tag before it and its end to the tag after it.
	head := make([]int, len(toks)) // bytes to cut from the start of each text
	tail := make([]int, len(toks)) // bytes to cut from its end
	for i, t := range toks {
		if !t.kind.standalone() {
			continue
		}
		prev, next := textAt(i-1), textAt(i+1)
		indent, ok := lineBefore(prev, i, i-1 == 0)
		if !ok {
			continue
		}
		cut, ok := lineAfter(next, i, i+1 == len(toks)-1, len(toks))
		if !ok {
			continue
		}
		if prev != nil {
			tail[i-1] = indent
		}
		if next != nil {
			head[i+1] = cut
		}
	}
	for i := range toks {
		if toks[i].kind == hbText {
			toks[i].text = toks[i].text[head[i] : len(toks[i].text)-tail[i]]
		}
	}
}

// lineBefore reports whether only blanks precede tag i on its line, and
// how many: prev is the text before the tag (nil when another tag or
// nothing is), first whether that text starts the template.
func lineBefore(prev *hbToken, i int, first bool) (int, bool) {
	if prev == nil {
		return 0, i == 0
	}
	nl := strings.LastIndexByte(prev.text, '\n')
	if nl < 0 && !first {
		return 0, false
	}
	if strings.TrimLeft(prev.text[nl+1:], " \t") != "" {
		return 0, false
	}
	return len(prev.text) - (nl + 1), true
}

// lineAfter reports whether only blanks follow tag i up to the end of its
// line (or of the template), and how many bytes of next to cut, line
// break included: next is the text after the tag (nil when another tag or
// nothing is), last whether that text ends the template.
func lineAfter(next *hbToken, i int, last bool, n int) (int, bool) {
	if next == nil {
		return 0, i == n-1
	}
	nl := strings.IndexByte(next.text, '\n')
	rest := next.text
	if nl >= 0 {
		rest = next.text[:nl]
	} else if !last {
		return 0, false
	}
	if strings.Trim(rest, " \t\r") != "" {
		return 0, false
	}
	if nl >= 0 {
		return nl + 1, true
	}
	return len(rest), true
}

// Parsing.

type hbNode interface{}

type hbTextNode string

type hbVarNode struct {
	path hbPath
	raw  bool
}

type hbBlockNode struct {
	helper        string
	args          []hbPath // one; two for equal
	body, inverse []hbNode
}

// hbPath is a parsed expression: depth ../ steps up (or root starts at
// @root), then segments; data is an @variable name; a literal is a quoted
// string, a number, a boolean or null.
type hbPath struct {
	depth    int
	root     bool
	segments []string
	data     string
	literal  any
	isLit    bool
}

// hbHelpers are the block helpers Mailgun documents, with how many
// arguments each takes.
var hbHelpers = map[string]int{"if": 1, "unless": 1, "each": 1, "with": 1, "equal": 2}

// hbHelperNames lists hbHelpers for errors.
const hbHelperNames = "if, unless, each, with, equal"

func parseHandlebars(src string) ([]hbNode, error) {
	toks, err := lexHandlebars(src)
	if err != nil {
		return nil, err
	}
	trimWhitespace(toks)
	type open struct {
		block   *hbBlockNode
		inElse  bool
		chained bool // an {{else if}} closed by its parent's close tag
		line    int
	}
	root := &hbBlockNode{}
	stack := []*open{{block: root}}
	add := func(n hbNode) {
		top := stack[len(stack)-1]
		if top.inElse {
			top.block.inverse = append(top.block.inverse, n)
		} else {
			top.block.body = append(top.block.body, n)
		}
	}
	for _, t := range toks {
		switch t.kind {
		case hbText:
			if t.text != "" {
				add(hbTextNode(t.text))
			}
		case hbComment:
		case hbVar, hbRaw:
			p, err := parsePath(t.text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", t.line, err)
			}
			add(&hbVarNode{path: p, raw: t.kind == hbRaw})
		case hbOpen:
			b, err := parseBlock(t.text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", t.line, err)
			}
			add(b)
			stack = append(stack, &open{block: b, line: t.line})
		case hbElse:
			top := stack[len(stack)-1]
			if len(stack) == 1 || top.inElse {
				return nil, fmt.Errorf("line %d: unexpected {{else}}", t.line)
			}
			top.inElse = true
			if t.text != "" { // {{else if x}}: a block in the inverse, closed with this one
				b, err := parseBlock(t.text)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", t.line, err)
				}
				add(b)
				stack = append(stack, &open{block: b, chained: true, line: t.line})
			}
		case hbClose:
			for {
				if len(stack) == 1 {
					return nil, fmt.Errorf("line %d: {{/%s}} closes nothing", t.line, t.text)
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !top.chained {
					if top.block.helper != t.text {
						return nil, fmt.Errorf("line %d: {{/%s}} closes {{#%s}} of line %d", t.line, t.text, top.block.helper, top.line)
					}
					break
				}
			}
		}
	}
	if len(stack) > 1 {
		top := stack[len(stack)-1]
		return nil, fmt.Errorf("line %d: {{#%s}} is never closed", top.line, top.block.helper)
	}
	return root.body, nil
}

func parseBlock(content string) (*hbBlockNode, error) {
	helper, rest, _ := strings.Cut(content, " ")
	n, ok := hbHelpers[helper]
	if !ok {
		return nil, fmt.Errorf("block helper %q is not supported (only %s)", helper, hbHelperNames)
	}
	args, err := splitArgs(rest)
	if err != nil {
		return nil, fmt.Errorf("{{#%s}}: %w", helper, err)
	}
	if len(args) != n {
		return nil, fmt.Errorf("{{#%s}} takes %d argument(s), got %q", helper, n, strings.TrimSpace(rest))
	}
	b := &hbBlockNode{helper: helper}
	for _, a := range args {
		p, err := parsePath(a)
		if err != nil {
			return nil, err
		}
		b.args = append(b.args, p)
	}
	return b, nil
}

// splitArgs splits a helper's arguments at blanks, keeping a quoted
// string literal whole.
func splitArgs(s string) ([]string, error) {
	var args []string
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return args, nil
		}
		end := strings.IndexAny(s, " \t\r\n")
		if q := s[0]; q == '"' || q == '\'' {
			closing := strings.IndexByte(s[1:], q)
			if closing < 0 {
				return nil, fmt.Errorf("unclosed string %s", s)
			}
			end = closing + 2
			if end < len(s) && !strings.ContainsRune(" \t\r\n", rune(s[end])) {
				return nil, fmt.Errorf("bad argument %s", s)
			}
		}
		if end < 0 {
			end = len(s)
		}
		args = append(args, s[:end])
		s = s[end:]
	}
}

var (
	hbNumber       = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	longCommentEnd = regexp.MustCompile(`--(~?)\}\}`)
)

// parsePath reads a variable expression: a dotted or slashed path with
// optional ./ and ../ prefixes and [segment] literals, this, an @variable,
// or a string, number or boolean literal.
func parsePath(expr string) (hbPath, error) {
	var p hbPath
	switch {
	case len(expr) >= 2 && (expr[0] == '"' || expr[0] == '\'') && strings.IndexByte(expr[1:], expr[0]) == len(expr)-2:
		p.literal, p.isLit = expr[1:len(expr)-1], true
		return p, nil
	case strings.ContainsAny(expr, " \t\n"):
		helper, _, _ := strings.Cut(expr, " ")
		return p, fmt.Errorf("helper %q is not supported", helper)
	case hbNumber.MatchString(expr):
		f, _ := strconv.ParseFloat(expr, 64)
		p.literal, p.isLit = f, true
		return p, nil
	case expr == "true" || expr == "false":
		p.literal, p.isLit = expr == "true", true
		return p, nil
	case expr == "null" || expr == "undefined":
		p.isLit = true
		return p, nil
	case expr == "." || expr == "this":
		return p, nil
	case expr == "@root" || strings.HasPrefix(expr, "@root.") || strings.HasPrefix(expr, "@root/"):
		p.root = true
		expr = strings.TrimLeft(expr[len("@root"):], "./")
		if expr == "" {
			return p, nil
		}
	case strings.HasPrefix(expr, "@"):
		p.data = expr[1:]
		if !slices.Contains([]string{"index", "key", "first", "last"}, p.data) {
			return p, fmt.Errorf("data variable %q is not supported", expr)
		}
		return p, nil
	}
	for strings.HasPrefix(expr, "../") {
		p.depth++
		expr = expr[3:]
	}
	expr = strings.TrimPrefix(expr, "./")
	for expr != "" {
		var seg string
		if expr[0] == '[' {
			end := strings.IndexByte(expr, ']')
			if end < 0 {
				return p, fmt.Errorf("unclosed [ in %q", expr)
			}
			seg, expr = expr[1:end], expr[end+1:]
		} else {
			end := strings.IndexAny(expr, "./")
			if end < 0 {
				end = len(expr)
			}
			seg, expr = expr[:end], expr[end:]
		}
		if seg == "" {
			return p, errors.New("empty path segment")
		}
		p.segments = append(p.segments, seg)
		if expr != "" {
			if expr[0] != '.' && expr[0] != '/' {
				return p, fmt.Errorf("bad path near %q", expr)
			}
			expr = expr[1:]
			if expr == "" {
				return p, errors.New("path ends with a separator")
			}
		}
	}
	if len(p.segments) > 0 && p.segments[0] == "this" {
		p.segments = p.segments[1:]
	}
	return p, nil
}

// Rendering.

type hbFrame struct {
	value any
	data  map[string]any // @index, @key, @first, @last of an each
}

type hbRenderer struct {
	out    strings.Builder
	stack  []hbFrame
	escape bool
}

func (r *hbRenderer) nodes(ns []hbNode) {
	for _, n := range ns {
		switch n := n.(type) {
		case hbTextNode:
			r.out.WriteString(string(n))
		case *hbVarNode:
			s := stringify(r.lookup(n.path))
			if r.escape && !n.raw {
				s = escapeHandlebars(s)
			}
			r.out.WriteString(s)
		case *hbBlockNode:
			r.block(n)
		}
	}
}

func (r *hbRenderer) block(b *hbBlockNode) {
	v := r.lookup(b.args[0])
	switch b.helper {
	case "equal":
		// Mailgun: the block renders when both arguments are equal as strings.
		r.branch(stringify(v) == stringify(r.lookup(b.args[1])), b)
	case "if":
		r.branch(truthy(v), b)
	case "unless":
		r.branch(!truthy(v), b)
	case "with":
		if !truthy(v) {
			r.nodes(b.inverse)
			return
		}
		r.push(hbFrame{value: v}, b.body)
	case "each":
		if !r.each(v, b.body) {
			r.nodes(b.inverse)
		}
	}
}

func (r *hbRenderer) branch(cond bool, b *hbBlockNode) {
	if cond {
		r.nodes(b.body)
	} else {
		r.nodes(b.inverse)
	}
}

func (r *hbRenderer) push(f hbFrame, body []hbNode) {
	r.stack = append(r.stack, f)
	r.nodes(body)
	r.stack = r.stack[:len(r.stack)-1]
}

// each renders body once per element of a slice or array, or per entry
// of a map in key order, and reports whether there was any.
func (r *hbRenderer) each(v any, body []hbNode) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		n := rv.Len()
		for i := range n {
			data := map[string]any{"index": float64(i), "key": float64(i), "first": i == 0, "last": i == n-1}
			r.push(hbFrame{value: rv.Index(i).Interface(), data: data}, body)
		}
		return n > 0
	case reflect.Map:
		keys := mapKeys(rv)
		for i, k := range keys {
			data := map[string]any{"index": float64(i), "key": k, "first": i == 0, "last": i == len(keys)-1}
			r.push(hbFrame{value: rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface(), data: data}, body)
		}
		return len(keys) > 0
	}
	return false
}

// mapKeys returns the keys of a map with string keys, sorted; other maps have none.
func mapKeys(rv reflect.Value) []string {
	if rv.Type().Key().Kind() != reflect.String {
		return nil
	}
	keys := make([]string, 0, rv.Len())
	for _, k := range rv.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	return keys
}

func (r *hbRenderer) lookup(p hbPath) any {
	if p.isLit {
		return p.literal
	}
	if p.data != "" {
		for i := len(r.stack) - 1; i >= 0; i-- {
			if d := r.stack[i].data; d != nil {
				return d[p.data]
			}
		}
		return nil
	}
	i := len(r.stack) - 1 - p.depth
	if p.root {
		i = 0
	}
	if i < 0 {
		return nil
	}
	v := r.stack[i].value
	for _, seg := range p.segments {
		v = member(v, seg)
		if v == nil {
			return nil
		}
	}
	return v
}

// member returns v's field name: a map entry, or the element at that
// index of a slice or array ("length" gives its length).
func member(v any, name string) any {
	if m, ok := v.(map[string]any); ok {
		return m[name]
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil
		}
		e := rv.MapIndex(reflect.ValueOf(name).Convert(rv.Type().Key()))
		if !e.IsValid() {
			return nil
		}
		return e.Interface()
	case reflect.Slice, reflect.Array:
		if name == "length" {
			return float64(rv.Len())
		}
		i, err := strconv.Atoi(name)
		if err != nil || i < 0 || i >= rv.Len() {
			return nil
		}
		return rv.Index(i).Interface()
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return member(rv.Elem().Interface(), name)
	}
	return nil
}

// truthy is handlebars' notion of a true condition: not false, null, "",
// 0 nor an empty array (an empty object is true).
func truthy(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.String:
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			return err != nil || f != 0
		}
		return rv.Len() > 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() != 0
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		return f != 0 && f == f // NaN is false
	case reflect.Slice, reflect.Array:
		return rv.Len() > 0
	case reflect.Pointer, reflect.Interface:
		return !rv.IsNil() && truthy(rv.Elem().Interface())
	}
	return true
}

// stringify renders a value as JavaScript would: numbers without a
// trailing .0, arrays joined with commas, objects as [object Object],
// null and undefined as "".
func stringify(v any) string {
	if v == nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case fmt.Stringer:
		return v.String()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return jsNumber(rv.Float())
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = stringify(rv.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	case reflect.Map, reflect.Struct:
		return "[object Object]"
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return ""
		}
		return stringify(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// jsNumber formats f as JavaScript's Number.prototype.toString does for
// the usual range: integers without a fraction, no exponent below 1e21.
func jsNumber(f float64) string {
	switch {
	case f != f:
		return "NaN"
	case f > 1e308:
		return "Infinity"
	case f < -1e308:
		return "-Infinity"
	case f == 0:
		return "0"
	}
	if a := max(f, -f); a < 1e21 && a >= 1e-6 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	return strings.Replace(strings.Replace(s, "e-0", "e-", 1), "e+0", "e+", 1)
}

// escapeHandlebars escapes the characters handlebars escapes in {{...}}.
var escapeHandlebars = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;", "`", "&#x60;", "=", "&#x3D;",
).Replace

var (
	htmlDropped = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	htmlBreaks  = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|h[1-6]|li|tr|table|ul|ol|blockquote|pre)\s*>`)
	htmlTags    = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlToText turns rendered HTML into readable plain text.
func htmlToText(s string) string {
	if !strings.Contains(s, "<") {
		return html.UnescapeString(s)
	}
	s = htmlDropped.ReplaceAllString(s, "")
	s = htmlBreaks.ReplaceAllString(s, "\n")
	s = htmlTags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
