module github.com/mgkit/mailgun/bench

go 1.26.0

require (
	github.com/json-iterator/go v1.1.12
	github.com/mailgun/mailgun-go/v4 v4.23.0
	github.com/mgkit/mailgun v0.0.0-00010101000000-000000000000
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/go-chi/chi/v5 v5.2.1 // indirect
	github.com/mailgun/errors v0.4.0 // indirect
	github.com/modern-go/concurrent v0.0.0-20180228061459-e0a39a4cb421 // indirect
	github.com/modern-go/reflect2 v1.0.2 // indirect
)

replace github.com/mgkit/mailgun => ../
