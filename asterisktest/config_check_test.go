package asterisktest

import (
	"testing"

	"github.com/publicservice/hotline/config"
)

func TestSuiteConfigParses(t *testing.T) {
	if _, err := config.Parse([]byte(testConfig()), "suite.yaml"); err != nil {
		t.Fatal(err)
	}
}
