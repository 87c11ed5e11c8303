package mailgun_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleTemplatesService_Create() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	tpl, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{
		Name:        "Welcome", // stored lower-cased
		Description: "sent after sign-up",
		Version: &mailgun.TemplateVersionInput{
			Tag:      "v1",
			Template: "<p>Hi {{name}}!</p>",
			Headers:  mailgun.TemplateHeaders{From: "Shop <shop@example.com>", Subject: "Welcome, {{name}}"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tpl.Name, tpl.Version.Tag, tpl.Version.Active)

	// The fake renders the active version as a templated send would.
	r, err := srv.RenderTemplate("example.com", "welcome", "", map[string]any{"name": "Ann & Bob"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.HTML)
	fmt.Println(r.Headers.Subject)
	// Output:
	// welcome v1 true
	// <p>Hi Ann &amp; Bob!</p>
	// Welcome, Ann & Bob
}

func ExampleTemplatesService_UpdateVersion() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{
		Name:    "receipt",
		Version: &mailgun.TemplateVersionInput{Tag: "v1", Template: "<p>Total: {{total}}</p>", Comment: "draft"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Read, change one field, send back: the other fields stay as they were.
	v, err := c.Templates.GetVersion(ctx, "example.com", "receipt", "v1")
	if err != nil {
		log.Fatal(err)
	}
	in := v.Input()
	in.Comment = "approved"
	if err := c.Templates.UpdateVersion(ctx, "example.com", "receipt", in); err != nil {
		log.Fatal(err)
	}
	v, err = c.Templates.GetVersion(ctx, "example.com", "receipt", "v1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Comment, v.Template)
	// Output: approved <p>Total: {{total}}</p>
}

func ExampleTemplatesService_SetActive() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	_, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{
		Name:    "promo",
		Version: &mailgun.TemplateVersionInput{Tag: "spring", Template: "Spring sale"},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Templates.CopyVersion(ctx, "example.com", "promo", "spring", "summer", "copied from spring")
	if err != nil {
		log.Fatal(err)
	}
	err = c.Templates.UpdateVersion(ctx, "example.com", "promo", mailgun.TemplateVersionInput{Tag: "summer", Template: "Summer sale"})
	if err != nil {
		log.Fatal(err)
	}
	// Sends that name no version now use "summer".
	if err := c.Templates.SetActive(ctx, "example.com", "promo", "summer"); err != nil {
		log.Fatal(err)
	}
	tpl, err := c.Templates.GetActive(ctx, "example.com", "promo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tpl.Version.Tag, tpl.Version.Template)
	// Output: summer Summer sale
}

func ExampleTemplatesService_List() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	for _, name := range []string{"welcome", "receipt", "promo"} {
		if _, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: name}); err != nil {
			log.Fatal(err)
		}
	}
	// The loop fetches one page at a time; break to stop early.
	for tpl, err := range c.Templates.List(ctx, "example.com", &mailgun.TemplateListOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tpl.Name)
	}
	// Output:
	// promo
	// receipt
	// welcome
}

func ExampleTemplatesService_ListVersionsPage() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	if _, err := c.Templates.Create(ctx, "example.com", mailgun.TemplateInput{Name: "news"}); err != nil {
		log.Fatal(err)
	}
	for _, tag := range []string{"a", "b", "c"} {
		_, err := c.Templates.CreateVersion(ctx, "example.com", "news", mailgun.TemplateVersionInput{Tag: tag, Template: "issue " + tag})
		if err != nil {
			log.Fatal(err)
		}
	}
	page, err := c.Templates.ListVersionsPage(ctx, "example.com", "news", &mailgun.TemplateListOptions{Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Items[0].Tag, page.Items[0].Active, page.Items[1].Tag)

	// page.Next can be stored and used later, even by another process.
	page, err = c.Templates.ListVersionsPage(ctx, "example.com", "news", &mailgun.TemplateListOptions{Cursor: page.Next})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Items[0].Tag)
	// Output:
	// a true b
	// c
}
