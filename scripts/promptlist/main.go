// Command promptlist prints the prompts of a hotline configuration file, one
// per line, for scripts/gen-prompts.sh:
//
//	<lang> TAB <key> TAB <sound file> TAB <text>
//
// The sound file is relative to the sounds directory (<lang>/hotline/<key>.wav)
// and is "-" for prompts whose media is not the default sound:<lang>/hotline/<key>
// (a recording supplied by other means). Without -config it lists the shipped
// sample.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/publicservice/hotline/config"
)

func main() {
	path := flag.String("config", "", "configuration file (default: the shipped sample)")
	flag.Parse()
	var (
		c   *config.Config
		err error
	)
	if *path == "" {
		c = config.Sample()
	} else if c, err = config.Load(*path); err != nil {
		slog.Error("promptlist: cannot load the configuration", "err", err)
		os.Exit(1)
	}
	for _, lang := range c.Languages {
		keys := make([]string, 0, len(c.Prompts[lang]))
		for k := range c.Prompts[lang] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := c.Prompts[lang][k]
			file := "-"
			if p.Media == config.DefaultMedia(lang, k) {
				file = config.SoundFile(lang, k)
			}
			text := strings.Join(strings.Fields(p.Text), " ")
			fmt.Printf("%s\t%s\t%s\t%s\n", lang, k, file, text)
		}
	}
}
