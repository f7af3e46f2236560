package asterisktest

import (
	"testing"

	"github.com/publicservice/hotline/config"
)

func TestSuiteConfigParses(t *testing.T) {
	for _, c := range []string{testConfig(), lineClosedConfig()} {
		if _, err := config.Parse([]byte(c), "suite.yaml"); err != nil {
			t.Fatal(err)
		}
	}
}
