package mailgun_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleTrackingService_UpdateClick() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	click, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingHTMLOnly})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(click.Active, click.Active.Enabled())
	// Output: htmlonly true
}

func ExampleTrackingService_UpdateUnsubscribe() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	// Only the fields that are set are sent: the text footer stays as it was.
	u, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{
		Active:     new(true),
		HTMLFooter: new("\n<p><a href=\"%unsubscribe_url%\">Unsubscribe</a></p>\n"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v %q %q\n", u.Active, u.HTMLFooter, u.TextFooter)
	// Output: true "\n<p><a href=\"%unsubscribe_url%\">Unsubscribe</a></p>\n" "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n"
}

func ExampleTrackingService_Get() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()

	t, err := c.Tracking.Get(context.Background(), "example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Open.Active, t.Click.Active, t.Unsubscribe.Active, t.WebScheme)
	// Output: false false false http
}

func ExampleTrackingService_WaitForCertificate() {
	srv := mailguntest.Start(mailguntest.WithCertificateDelay(0))
	defer srv.Close()
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	host := mailgun.TrackingHost("example.com", "email")
	if _, err := c.Tracking.GenerateCertificate(ctx, host); err != nil {
		log.Fatal(err)
	}
	cert, err := c.Tracking.WaitForCertificate(ctx, host, 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(host, cert.Status)
	// Output: email.example.com active
}

func ExampleTrackingHost() {
	fmt.Println(mailgun.TrackingHost("example.com", ""))
	fmt.Println(mailgun.TrackingHost("mg.example.com", "links"))
	// Output:
	// email.example.com
	// links.mg.example.com
}
