//go:build race

package mailgun_test

const raceEnabled = true
