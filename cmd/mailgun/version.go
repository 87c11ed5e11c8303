package main

import (
	"context"
	"fmt"

	"github.com/mgkit/mailgun"
)

var versionCommand = &Command{
	Name:      "version",
	UsageLine: "version",
	Short:     "print the SDK version the command was built with",
	Long:      "Version prints the version of the mailgun SDK this command was built with.",
	Run: func(ctx context.Context, e *env, args []string) error {
		fmt.Fprintf(e.stdout, "mailgun %s\n", mailgun.Version)
		return nil
	},
}
