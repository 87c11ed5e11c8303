package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/mgkit/mailgun/internal/doer"
)

// Page is one page of a list, and the cursor of the page after it.
type Page[T any] struct {
	Items []T
	// Next is an opaque cursor for the following page, or "" after the
	// last one. It stays valid across processes: store it and pass it back
	// (as ListOptions.Cursor, or the list's own cursor field) to resume.
	Next string
}

// ListOptions controls a walk of a suppression list (bounces,
// unsubscribes, complaints, the allowlist).
// Lists are ordered by address (or value), not by time. A nil *ListOptions
// means the defaults.
type ListOptions struct {
	// Limit is the page size, 1 to 1000; 0 means DefaultListLimit (100).
	// Anything else is rejected with ErrInvalidArgument.
	Limit int
	// Cursor resumes from Page.Next of an earlier call; "" starts at the
	// top. A cursor carries the limit and term of the walk that made it,
	// so Limit and Term are not applied again when Cursor is set. A cursor
	// of another list or domain is rejected with ErrInvalidArgument.
	Cursor string
	// Term keeps only entries that start with this prefix; "" keeps all.
	Term string
}

// DefaultListLimit is the page size of a suppression list walk when
// ListOptions.Limit is 0.
const DefaultListLimit = 100

// maxListLimit is the largest page the suppression lists serve.
const maxListLimit = 1000

// iterate walks pages from start ("" for the first page) and yields every
// item, holding one page in memory at a time. It stops after a page with no
// items or no next cursor, and ends with an ErrInvalidResponse error if the
// server hands back a cursor it has already given (so a server bug cannot
// loop forever). A fetch error is yielded once and ends the walk.
func iterate[T any](ctx context.Context, start string, fetch func(ctx context.Context, cursor string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seed := maphash.MakeSeed()
		seen := map[uint64]struct{}{}
		cursor := start
		for {
			page, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.Next == "" || len(page.Items) == 0 {
				return
			}
			h := maphash.String(seed, page.Next)
			if _, dup := seen[h]; dup || page.Next == cursor {
				yield(zero, fmt.Errorf("%w: paging repeats a cursor already read", ErrInvalidResponse))
				return
			}
			seen[h] = struct{}{}
			cursor = page.Next
		}
	}
}

// failedWalk is a walk that yields err as its only value: how a List
// reports invalid options, before anything is sent.
func failedWalk[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// linkPage is the {"items": [...], "paging": {"next": url}} shape of the
// suppression, tag and Slack channel lists. Paging is a pointer so that a
// page without it can be told from one with empty links.
type linkPage[T any] struct {
	Items  []T         `json:"items"`
	Paging *pagingLink `json:"paging"`
}

type pagingLink struct {
	Next string `json:"next"`
}

// DecodeBody reads a page in one pass when every item decodes and none is
// null; otherwise by the list rule (lenientList: an item that is not an
// object is skipped, a mistyped field dropped). So a well-formed page costs
// one json.Unmarshal, as it would without the rule.
func (p *linkPage[T]) DecodeBody(body []byte) error {
	if !bytes.Contains(body, []byte("null")) && json.Unmarshal(body, p) == nil {
		return nil
	}
	var slow struct {
		Items  lenientList[T] `json:"items"`
		Paging *pagingLink    `json:"paging"`
	}
	if err := json.Unmarshal(body, &slow); err != nil {
		return err
	}
	*p = linkPage[T]{Items: slow.Items, Paging: slow.Paging}
	return nil
}

// getLinkPage fetches one page of a list whose next page is an absolute
// link (linkPage). The page fails on its structure only: linkPage's, or
// items without paging. The next link is reduced to a cursor on the
// client's base URL, so credentials never follow it to another host, and
// must pass check (when not nil), so that a walk follows only the cursors
// ListPage accepts. A page without items has no next cursor.
func getLinkPage[T any](ctx context.Context, c *Client, r *doer.Request, check func(cursor string) error) (*Page[T], error) {
	var lp linkPage[T]
	if err := c.do(ctx, r, &lp); err != nil {
		return nil, err
	}
	page := &Page[T]{Items: lp.Items}
	if len(lp.Items) == 0 {
		return page, nil
	}
	if lp.Paging == nil {
		return nil, replyError(r, "items without paging links")
	}
	if lp.Paging.Next == "" {
		return page, nil
	}
	next, err := doer.CursorFromLink(lp.Paging.Next)
	if err == nil && check != nil {
		err = check(next)
	}
	if err != nil {
		return nil, replyError(r, "next link: "+err.Error())
	}
	page.Next = next
	return page, nil
}

// checkCursor rejects a cursor that does not belong to the list at the given
// path segments (after the version) or below it, such as a bounces cursor
// passed to the allowlist, or one for another domain.
func checkCursor(cursor string, segments ...string) error {
	rest, want, err := cursorPaths(cursor, segments)
	if err != nil {
		return err
	}
	if rest != want && !strings.HasPrefix(rest, want+"/") {
		return invalidArg("cursor belongs to another list")
	}
	return nil
}

// checkListCursor is checkCursor for a list whose pages all have the
// list's own path: a cursor for a path below it is rejected too.
func checkListCursor(cursor string, segments ...string) error {
	rest, want, err := cursorPaths(cursor, segments)
	if err != nil {
		return err
	}
	if rest != want {
		return invalidArg("cursor belongs to another list")
	}
	return nil
}

// cursorPaths returns the escaped path of cursor after its version segment,
// and the escaped path of segments.
func cursorPaths(cursor string, segments []string) (rest, want string, err error) {
	if err := doer.CheckCursor(cursor); err != nil {
		return "", "", invalidArg("cursor: %s", err)
	}
	p, _, _ := strings.Cut(cursor, "?")
	rest = p[1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	want, err = doer.BuildPath(segments)
	if err != nil {
		return "", "", invalidArg("%s", err)
	}
	return rest, want, nil
}

// suppressionQuery checks domain and opts and returns the cursor to start
// from (if any) and the query of the first page.
func suppressionQuery(domain, list string, opts *ListOptions) (string, url.Values, error) {
	if err := required("domain", domain); err != nil {
		return "", nil, err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > maxListLimit {
		return "", nil, invalidArg("limit %d is out of range 1..%d (0 means %d)", o.Limit, maxListLimit, DefaultListLimit)
	}
	if o.Cursor != "" {
		if err := checkListCursor(o.Cursor, domain, list); err != nil {
			return "", nil, err
		}
		return o.Cursor, nil, nil
	}
	if o.Limit == 0 {
		o.Limit = DefaultListLimit
	}
	q := url.Values{"limit": {strconv.Itoa(o.Limit)}}
	if o.Term != "" {
		q.Set("term", o.Term)
	}
	return "", q, nil
}
