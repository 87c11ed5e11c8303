// Package docs_test compiles the Go code blocks of the Markdown pages: every
// ```go block of docs/*.md and of the README.
//
// A block whose first line (after comments) is a package clause is a whole
// file and is checked as its own package. Any other block is a function
// body, checked as if written inside
//
//	func _(ctx context.Context, c *mailgun.Client) error { <block>; return nil }
//
// with the SDK, mailguntest and the standard packages docs use imported
// (see snippetImports). A body block may declare variables it does not use
// and need not use every import; every other type error fails the test,
// reported at the block's line in its Markdown file.
//
// The blocks are type-checked with go/types against export data from one
// "go list -export" run, so the whole check costs one go command.
package docs_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// snippetImports are imported by every function-body block: a block may use
// any of them by its package name.
var snippetImports = []string{
	"github.com/mgkit/mailgun",
	"github.com/mgkit/mailgun/mailguntest",
	"bytes",
	"context",
	"encoding/csv",
	"encoding/json",
	"errors",
	"fmt",
	"io",
	"iter",
	"log",
	"log/slog",
	"net/http",
	"net/http/httptest",
	"net/url",
	"os",
	"strings",
	"time",
}

// pending lists pages whose blocks do not compile yet, with why. Their
// failures are logged, not failed; a listed page that compiles fails the
// test, so the list only shrinks.
var pending = map[string]string{}

// block is one ```go block of a Markdown file.
type block struct {
	file string // relative to the repository root, such as "docs/alerts.md"
	line int    // of the block's first line of code
	code string
}

func TestCodeBlocksCompile(t *testing.T) {
	blocks := readBlocks(t)
	if len(blocks) == 0 {
		t.Fatal("no ```go block found: the extraction is broken")
	}
	failures := compileBlocks(t, blocks)

	var names []string
	for _, b := range blocks {
		if !slices.Contains(names, b.file) {
			names = append(names, b.file)
		}
	}
	for name := range pending {
		if !slices.Contains(names, name) {
			t.Errorf("pending lists %s, which has no ```go block: remove it from pending", name)
		}
	}
	for _, name := range names {
		msgs := failures[name]
		why, isPending := pending[name]
		switch {
		case isPending && len(msgs) == 0:
			t.Errorf("%s compiles now: remove it from pending", name)
		case isPending:
			t.Logf("%s: %d errors, not failing the test (pending: %s):\n\t%s", name, len(msgs), why, strings.Join(msgs, "\n\t"))
		case len(msgs) > 0:
			t.Errorf("%s: code blocks do not compile:\n\t%s", name, strings.Join(msgs, "\n\t"))
		}
	}
	t.Logf("%d go blocks in %d files", len(blocks), len(names))
}

// compileBlocks type-checks blocks and returns the errors found, as
// "file:line:col: message" by Markdown file, in line order.
func compileBlocks(t *testing.T, blocks []block) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	var bodies []*ast.File
	var files []*ast.File // whole-file blocks, one package each
	failures := map[string][]string{}
	add := func(pos token.Position, msg string) {
		msg = strings.Join(strings.Fields(msg), " ")
		failures[pos.Filename] = append(failures[pos.Filename], fmt.Sprintf("%s:%d:%d: %s", pos.Filename, pos.Line, pos.Column, msg))
	}
	imports := map[string]bool{}
	for _, p := range snippetImports {
		imports[p] = true
	}
	for _, b := range blocks {
		src, whole := source(b)
		f, err := parser.ParseFile(fset, b.file, src, parser.SkipObjectResolution)
		if err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) && len(list) > 0 {
				add(list[0].Pos, list[0].Msg)
			} else {
				add(token.Position{Filename: b.file, Line: b.line}, err.Error())
			}
			continue
		}
		if !whole {
			bodies = append(bodies, f)
			continue
		}
		files = append(files, f)
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil {
				imports[p] = true
			}
		}
	}

	imp := exportImporter(t, fset, imports)
	check := func(fs []*ast.File, lenient bool) {
		conf := types.Config{
			Importer: imp,
			Error: func(err error) {
				var te types.Error
				if errors.As(err, &te) && !(lenient && unusedOnly(te)) {
					add(fset.Position(te.Pos), te.Msg)
				}
			},
		}
		_, _ = conf.Check("snippets", fset, fs, nil)
	}
	if len(bodies) > 0 {
		check(bodies, true)
	}
	for _, f := range files {
		check([]*ast.File{f}, false)
	}
	for _, msgs := range failures {
		sort.SliceStable(msgs, func(i, j int) bool { return lineOf(msgs[i]) < lineOf(msgs[j]) })
	}
	return failures
}

// readBlocks extracts the ```go blocks of docs/*.md and README.md.
func readBlocks(t *testing.T) []block {
	t.Helper()
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(pages)
	var out []block
	for _, p := range append(pages, "../README.md") {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.ToSlash(filepath.Join("docs", p))
		if p == "../README.md" {
			name = "README.md"
		}
		out = append(out, extract(name, data)...)
	}
	return out
}

// extract returns the ```go blocks of a Markdown file. A fence may be
// indented (inside a list item); its indentation is removed from the
// block's lines. Blocks of other languages, or of none, are skipped.
func extract(name string, data []byte) []block {
	var out []block
	var cur *block
	var indent string
	var code strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " \t")
		if cur == nil {
			if info, ok := strings.CutPrefix(trimmed, "```"); ok {
				if fields := strings.Fields(info); len(fields) > 0 && fields[0] == "go" {
					cur = &block{file: name, line: n + 1}
					indent = line[:len(line)-len(trimmed)]
					code.Reset()
				} else {
					cur = &block{} // another language, or none: skip to its closing fence
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			if cur.file != "" {
				cur.code = code.String()
				out = append(out, *cur)
			}
			cur = nil
			continue
		}
		if cur.file != "" {
			code.WriteString(strings.TrimPrefix(line, indent))
			code.WriteByte('\n')
		}
	}
	return out
}

// source returns the Go file to check for b, and whether b is a whole file.
// Line directives map every position back to the Markdown file.
func source(b block) (string, bool) {
	directive := fmt.Sprintf("//line %s:%d:1\n", b.file, b.line)
	if isWholeFile(b.code) {
		return directive + b.code, true
	}
	var s strings.Builder
	s.WriteString("package snippets\n\nimport (\n")
	for _, p := range snippetImports {
		fmt.Fprintf(&s, "\t%q\n", p)
	}
	s.WriteString(")\n\nfunc _(ctx context.Context, c *mailgun.Client) error {\n{\n")
	s.WriteString(directive)
	s.WriteString(b.code)
	s.WriteString("}\nreturn nil\n}\n")
	return s.String(), false
}

// isWholeFile reports whether the first line of code, after blank lines
// and line comments, is a package clause.
func isWholeFile(code string) bool {
	for line := range strings.Lines(code) {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		return strings.HasPrefix(l, "package ")
	}
	return false
}

// unusedOnly reports whether e only says that a variable or an import is
// not used, which a function-body block may leave so.
func unusedOnly(e types.Error) bool {
	return strings.Contains(e.Msg, "declared and not used") || strings.Contains(e.Msg, "imported and not used")
}

// lineOf returns the line number of a "file:line:col: msg" message.
func lineOf(msg string) int {
	parts := strings.SplitN(msg, ":", 3)
	if len(parts) < 3 {
		return 0
	}
	n, _ := strconv.Atoi(parts[1])
	return n
}

// exportImporter runs "go list -export -deps" once for every package the
// blocks import and returns an importer that reads the export data it
// names. A package go list cannot build is left out, so a block importing
// it fails to type-check and is reported.
func exportImporter(t *testing.T, fset *token.FileSet, imports map[string]bool) types.Importer {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to compile the docs' code blocks: %v", err)
	}
	args := []string{"list", "-e", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}={{.Export}}{{end}}"}
	for p := range imports {
		args = append(args, p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if path, file, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			exports[path] = file
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("package %q is not in the module or the standard library", path)
		}
		return os.Open(file)
	})
}

func TestExtract(t *testing.T) {
	md := "# T\n\n```go\nx := 1\n```\n\n```sh\ngo test ./...\n```\n\n- item\n\n  ```go\n  y := 2\n  ```\n```\nplain\n```\n"
	got := extract("docs/t.md", []byte(md))
	want := []block{
		{file: "docs/t.md", line: 4, code: "x := 1\n"},
		{file: "docs/t.md", line: 14, code: "y := 2\n"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("extract = %+v, want %+v", got, want)
	}
	if !isWholeFile("// Command x.\npackage main\n") || isWholeFile("x := 1 // package y\n") {
		t.Error("isWholeFile misreads a package clause")
	}
}

// TestCompileBlocksReports checks that the checker fails what does not
// compile, at the block's line, and passes what does.
func TestCompileBlocksReports(t *testing.T) {
	blocks := []block{
		{file: "ok.md", line: 10, code: "b, err := c.Bounces.Get(ctx, \"example.com\", \"bob@example.com\")\nif err != nil {\n\treturn err\n}\nfmt.Println(b.Address)\nunused := 1\n"},
		{file: "ok.md", line: 20, code: "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println() }\n"},
		{file: "bad.md", line: 30, code: "x := 1\ny := undefinedThing(x)\n"},
		{file: "bad.md", line: 40, code: "for {\n"},
		{file: "bad.md", line: 50, code: "package main\n\nimport \"fmt\"\n\nfunc main() {}\n"},
		{file: "bad.md", line: 60, code: "c.Bounces.Get(ctx, 1)\n"},
	}
	got := compileBlocks(t, blocks)
	if len(got["ok.md"]) != 0 {
		t.Errorf("good blocks failed: %q", got["ok.md"])
	}
	want := []string{"bad.md:31:", "bad.md:4", "bad.md:52:", "bad.md:60:"}
	if len(got["bad.md"]) != len(want) {
		t.Fatalf("bad blocks: got %q, want one error each at %q", got["bad.md"], want)
	}
	for i, w := range want {
		if !strings.HasPrefix(got["bad.md"][i], w) {
			t.Errorf("error %d = %q, want it at %s", i, got["bad.md"][i], w)
		}
	}
}
