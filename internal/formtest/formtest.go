// Package formtest decodes the multipart/form-data bodies the SDK sends,
// for tests. It is imported by tests only.
package formtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
)

// Part is one decoded part; Filename and ContentType are empty for a
// text field.
type Part struct {
	Name, Filename, ContentType, Data string
}

// Parts decodes a multipart/form-data body with the given Content-Type
// header, in order.
func Parts(contentType string, body []byte) ([]Part, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	if mt != "multipart/form-data" {
		return nil, fmt.Errorf("content type is %s, not multipart/form-data", mt)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []Part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		out = append(out, Part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
	}
}

// Field returns the Part of a text field.
func Field(name, value string) Part { return Part{Name: name, Data: value} }

// File returns the Part of a file.
func File(name, filename, contentType, data string) Part {
	return Part{Name: name, Filename: filename, ContentType: contentType, Data: data}
}
